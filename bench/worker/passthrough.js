// The baseline of the edge rows: a Worker that forwards POST /v1/responses to the upstream and
// hands its body back untouched (no client library, no parsing). What workerd itself costs per
// proxied response; the example Worker's own checks and framing come on top of it.
export default {
  async fetch(request, env) {
    const upstream = await fetch(`${env.UPSTREAM_BASE_URL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${env.COMETAPI_KEY}` },
      body: await request.text(),
    });
    return new Response(upstream.body, { status: upstream.status, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
  },
};
