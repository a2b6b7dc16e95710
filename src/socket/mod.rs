//! WebSocket mode: one connection to `/responses` for many responses (docs/websocket.md).
//! Plain Rust and sans-IO: the shell opens and closes the connection, sends the frames this
//! machine hands out and reports every frame it receives; every protocol decision is here:
//!
//! - what to send: `{"type":"response.create", …params}` without `stream` or `background`
//!   (`generate: false` for a warmup, `stream_id` for a lane), and `response.steer`;
//! - when: a lane (a `stream_id`, or none) has one response on the wire at a time, later ones
//!   wait in FIFO order; different lanes run concurrently;
//! - where each received frame goes: to the response running on the lane its `stream_id`
//!   names (none: the lane without an id). The frames routed to a response are its body, in
//!   order: the shell keeps them until the response's reader takes them (outside the core:
//!   nothing unread grows its memory) and feeds each, as one event, to the response's own
//!   [`Call`] ([`Socket::call_for`]), which runs the same stream machine as an HTTP stream
//!   ([`StreamState::feed_event`]): the same decoding, snapshot, limits and outcomes. Once the
//!   socket is done with a response ([`Socket::is_done`]) its body ends after the frames already
//!   routed, and [`Socket::end_call`] gives the call the end the socket saw: a response is never
//!   over before its reader took all of it;
//! - which responses a lost connection fails (those on the wire, with `Error::Connection`;
//!   never replayed), and when to reconnect (the next request after a loss; before the
//!   server's 60-minute limit, between responses);
//! - when opening the connection is given up: the shell reports [`Socket::connecting`] with
//!   its clock and the connect timeout, keeps one timer at [`Socket::poll_timeout`] and reports
//!   [`Socket::handle_timeout`] when it fires, as for an HTTP call ([`Call::start`]).

mod frames;

use std::rc::Rc;

use serde_json::Value;

use crate::call::Call;
use crate::endpoint::{check_base_url, Config};
use crate::error::{ApiError, Error};
use crate::event::EventKind;
use crate::redact::{redact_with, Hidden, Redactor};
use crate::stream::StreamState;

pub use frames::{create_frame, steer_frame};

/// The server closes a connection after 60 minutes; the socket reconnects between responses
/// once its connection is this old, so that no response is cut by the limit.
pub const MAX_AGE_MS: f64 = 55.0 * 60.0 * 1000.0;

/// What the shell does next.
#[cfg_attr(all(target_arch = "wasm32", feature = "npm"), wasm_bindgen::prelude::wasm_bindgen(js_name = SocketAction))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open the connection ([`Socket::url`], [`Socket::headers`]); report
    /// [`connected`](Socket::connected) or [`connect_failed`](Socket::connect_failed).
    Connect,
    /// Send the frames of [`take_frame`](Socket::take_frame).
    Send,
    /// Close the connection (it is near its age limit and idle), then act again.
    Reconnect,
    /// Nothing until a frame arrives or the user asks for something.
    Idle,
}

/// Where a received frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routed {
    /// To the response with this id: the frame is the next part of its body.
    Response(u32),
    /// To a response the server started by itself on a lane (a steered response's successor):
    /// a new response with this id.
    Successor(u32),
    /// It settled the steer with this id.
    Steer(u32),
    /// To nothing (an event of an aborted response, or one no request of this socket owns).
    Dropped,
}

/// How a steer ended ([`Socket::steer`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SteerOutcome {
    /// `response.steer.accepted`: the server holds the input.
    Accepted,
    /// `response.steer.pending`: queued until the client sends the response's required input.
    Pending,
    /// `response.steer.failed`, or the connection was lost before an answer.
    Failed(Error),
}

/// The connection; `Connecting`'s deadline is when opening is given up (Unix ms) and the connect
/// timeout it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Conn {
    Closed,
    Connecting { deadline: Option<(f64, u64)> },
    Open { since_ms: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotState {
    /// Waiting for its lane.
    Queued,
    /// On the wire: its events are fed to its call.
    Sent,
    /// On the wire but given up by the user: its events are dropped until its terminal one.
    Discarding,
    /// Nothing more is routed to it.
    Done,
}

#[derive(Debug)]
struct Slot {
    id: u32,
    lane: Option<String>,
    frame: Option<String>,
    /// The request asks for a `json_schema` output: its stream follows the output's partial JSON.
    json_schema: bool,
    /// The Response's `id`, once an event gave it (the target of a steer).
    response_id: Option<String>,
    state: SlotState,
    /// How the socket ended it before its terminal event (a lost connection, close()): its
    /// call's end.
    failure: Option<Error>,
    /// The consumer let go of it (its memory can go once nothing more arrives for it).
    released: bool,
}

#[derive(Debug)]
struct Lane {
    key: Option<String>,
    active: Option<u32>,
    /// Accepted steers whose successor has not started yet: the lane waits for it.
    held: u32,
}

#[derive(Debug)]
struct Steer {
    id: u32,
    lane: Option<String>,
    target: String,
    frame: Option<String>,
    outcome: Option<SteerOutcome>,
    /// Accepted and waiting for its successor (holds the lane).
    holding: bool,
}

/// The socket machine (see the module docs).
pub struct Socket {
    url: String,
    api_key: Option<String>,
    redactor: Option<Rc<Redactor>>,
    max_event_size: Option<usize>,
    conn: Conn,
    lanes: Vec<Lane>,
    slots: Vec<Slot>,
    steers: Vec<Steer>,
    next_id: u32,
    /// The connection is past [`MAX_AGE_MS`] ([`action`](Socket::action) says): no response
    /// starts on it, steers still go out on it.
    aged: bool,
}

/// Without the key (and its redactor's copy of it); the URL with the key redacted; the responses
/// and steers counted (a failure's message, a close reason, is the server's and may echo it).
impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("url", &redact_with(self.redactor.as_deref(), &self.url))
            .field("api_key", &self.api_key.as_ref().map(|_| Hidden))
            .field("conn", &self.conn)
            .field("lanes", &self.lanes)
            .field("slots", &self.slots.len())
            .field("steers", &self.steers.len())
            .finish_non_exhaustive()
    }
}

/// A connect timeout given as a number (a JS number, as `connect({ timeout })` takes it), in
/// whole ms: fractions cut, NaN and negative values 0 (the attempt fails at once), +∞ and values
/// beyond `u64` its maximum (about 585 million years).
pub fn connect_timeout_ms(t: f64) -> u64 {
    // `as` saturates: NaN and negatives to 0, +∞ and overflow to u64::MAX.
    t as u64
}

impl Socket {
    /// A socket for `config`'s base URL: `https://h/v1` → `wss://h/v1/responses` (`http` →
    /// `ws`).
    pub fn new(config: &Config) -> Result<Socket, Error> {
        check_base_url(&config.base_url).map_err(|e| e.redacted(config.redactor.as_deref()))?;
        // The base URL starts with `http://` or `https://` (checked): `ws` takes the place of `http`.
        let url = format!("ws{}/responses", config.base_url.get(4..).unwrap_or_default());
        Ok(Socket {
            url,
            api_key: config.api_key.clone(),
            redactor: config.redactor.clone(),
            max_event_size: config.max_event_size,
            conn: Conn::Closed,
            lanes: Vec::new(),
            slots: Vec::new(),
            steers: Vec::new(),
            next_id: 1,
            aged: false,
        })
    }

    /// The URL to open.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The headers of the upgrade request: `authorization: Bearer <key>` when the client has a
    /// key (none in a page: a relay adds it).
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(k) = &self.api_key {
            out.push(crate::endpoint::authorization(k));
        }
        out
    }

    /// The longest frame worth reading whole, in UTF-16 units (a JS string's length): one longer
    /// is over `maxEventSize` however it is encoded (a unit is at least one byte of UTF-8), so a
    /// shell may hand over only its first `max_frame() + 1` units — enough for
    /// [`on_frame`](Self::on_frame) to route it by its head and for its response to fail as over
    /// the limit — instead of copying all of it into memory.
    pub fn max_frame(&self) -> usize {
        self.max_event_size.unwrap_or(crate::sse::DEFAULT_MAX_EVENT_SIZE)
    }

    /// The redactor of the client's key, if it has one.
    pub fn redactor(&self) -> Option<Rc<Redactor>> {
        self.redactor.clone()
    }

    /// A response: `params` as for `POST /responses` (validated the same way), on the lane
    /// `stream_id`; `generate: false` for a warmup. Its id names it from now on.
    pub fn create(&mut self, params_json: &str, stream_id: Option<String>, generate: bool) -> Result<u32, Error> {
        let (frame, json_schema) = create_frame(params_json, stream_id.as_deref(), generate)
            .map_err(|e| e.redacted(self.redactor.as_deref()))?;
        let id = self.fresh_id();
        self.slots.push(Slot::new(id, stream_id, Some(frame), json_schema, SlotState::Queued));
        Ok(id)
    }

    /// The call that reads the response `id`: the frames routed to it are its body, each fed
    /// with [`Call::on_event`]; after the last of them, once [`is_done`](Self::is_done), the
    /// shell ends it with [`end_call`](Self::end_call).
    pub fn call_for(&self, id: u32) -> Option<Call> {
        let slot = self.slot(id)?;
        let mut stream = StreamState::batches(self.max_event_size);
        if slot.json_schema {
            stream.parse_output();
        }
        Some(Call::reading(stream).with_redactor(self.redactor.clone()))
    }

    /// The body of the response `id` ended (every frame routed to it was fed to `call`): the
    /// call ends as the socket ended the response (a lost connection, close()); a response the
    /// socket no longer knows, or one whose frames stopped without a terminal event, is
    /// truncated.
    pub fn end_call(&self, id: u32, call: &mut Call) {
        match self.slot(id).and_then(|s| s.failure.clone()) {
            Some(e) => call.fail(e),
            None => call.on_body_end(),
        }
    }

    /// Steers the response running on lane `stream_id`: `response.steer` with its id as
    /// `previous_response_id`. Fails when no response with a known id (from its
    /// `response.created`) runs on that lane.
    pub fn steer(&mut self, input_json: &str, stream_id: Option<String>) -> Result<u32, Error> {
        let target = self
            .lane(&stream_id)
            .and_then(|l| l.active)
            .and_then(|id| self.slot(id))
            .and_then(|s| s.response_id.clone())
            .ok_or_else(|| Error::validation("streamId", "no response with a known id is running on this lane: steer after its response.created (await stream.ready())"))?;
        let frame = steer_frame(input_json, &target).map_err(|e| e.redacted(self.redactor.as_deref()))?;
        let id = self.fresh_id();
        self.steers.push(Steer { id, lane: stream_id, target, frame: Some(frame), outcome: None, holding: false });
        Ok(id)
    }

    /// A steer's outcome, once known.
    pub fn steer_outcome(&self, id: u32) -> Option<&SteerOutcome> {
        self.steers.iter().find(|s| s.id == id).and_then(|s| s.outcome.as_ref())
    }

    /// The shell has read a steer's outcome: it is forgotten (unless it still holds its lane).
    pub fn forget_steer(&mut self, id: u32) {
        self.steers.retain(|s| s.id != id || s.holding || s.outcome.is_none());
    }

    /// What the shell does next (`now_ms`: the clock, for the connection's age). Past the age
    /// limit no response starts on the connection (it could outlive it): the socket reconnects
    /// once nothing runs; a steer still goes out on it, where the response it steers runs.
    pub fn action(&mut self, now_ms: f64) -> Action {
        let steering = self.steers.iter().any(|s| s.frame.is_some());
        let waiting = steering || self.slots.iter().any(|s| s.state == SlotState::Queued);
        match self.conn {
            Conn::Closed if waiting => Action::Connect,
            Conn::Closed | Conn::Connecting { .. } => Action::Idle,
            Conn::Open { since_ms } => {
                self.aged = now_ms - since_ms >= MAX_AGE_MS;
                if steering || (!self.aged && self.next_frame().is_some()) {
                    return Action::Send;
                }
                let busy = self.slots.iter().any(|s| matches!(s.state, SlotState::Sent | SlotState::Discarding))
                    || self.lanes.iter().any(|l| l.held > 0);
                if self.aged && waiting && !busy {
                    Action::Reconnect
                } else {
                    Action::Idle
                }
            }
        }
    }

    /// The shell starts opening the connection at `now_ms` (Unix ms); it gives up after
    /// `timeout_ms` (none: when the runtime does; a JS number goes through
    /// [`connect_timeout_ms`] first).
    pub fn connecting(&mut self, now_ms: f64, timeout_ms: Option<u64>) {
        self.conn = Conn::Connecting { deadline: timeout_ms.map(|t| (now_ms + t as f64, t)) };
    }

    /// When the shell gives up opening the connection (Unix ms, the clock of
    /// [`connecting`](Self::connecting)); `None`: no deadline.
    pub fn poll_timeout(&self) -> Option<f64> {
        match self.conn {
            Conn::Connecting { deadline: Some((at, _)) } => Some(at),
            _ => None,
        }
    }

    /// The shell's timer fired at `now_ms`. Past the deadline, opening the connection has
    /// failed: the reason, which the shell fails its attempt with (then reporting
    /// [`connect_failed`](Self::connect_failed) as for any failure to open). `None`: not yet (set
    /// the timer again to [`poll_timeout`](Self::poll_timeout), if any).
    pub fn handle_timeout(&mut self, now_ms: f64) -> Option<String> {
        let Conn::Connecting { deadline: Some((at, t)) } = self.conn else { return None };
        if now_ms < at {
            return None;
        }
        self.conn = Conn::Connecting { deadline: None };
        Some(format!("no answer in {} ms", crate::error::dec(t)))
    }

    /// The connection is open.
    pub fn connected(&mut self, now_ms: f64) {
        self.conn = Conn::Open { since_ms: now_ms };
        self.aged = false;
    }

    /// The connection could not be opened (`message`: the runtime's reason): every request
    /// waiting for it fails. Returns what their error says (redacted), for the caller's own.
    pub fn connect_failed(&mut self, message: &str) -> String {
        self.conn = Conn::Closed;
        let mut said = String::from("cannot open the WebSocket");
        if !message.is_empty() {
            said.push_str(": ");
            said.push_str(message);
        }
        if let Some(r) = &self.redactor {
            r.redact_string(&mut said);
        }
        let e = Error::Connection { message: said.clone() };
        for s in &mut self.slots {
            if s.state == SlotState::Queued {
                s.end(Some(e.clone()));
            }
        }
        for st in &mut self.steers {
            if st.frame.take().is_some() {
                st.outcome = Some(SteerOutcome::Failed(e.clone()));
            }
        }
        self.collect();
        said
    }

    /// The connection was lost (or closed by [`close`](Self::close)'s shell): every response
    /// on the wire fails with `Error::Connection` (its snapshot so far stays with it; nothing is
    /// replayed), unanswered steers too; requests still waiting for their lane go out on the
    /// next connection.
    pub fn dropped(&mut self, message: &str) {
        self.end_all(Error::Connection { message: format!("the WebSocket connection was lost: {message}") }, false);
    }

    /// The user closes the socket: everything not finished ends with `Error::Abort`.
    pub fn close(&mut self) {
        self.end_all(Error::Abort, true);
    }

    /// The connection is gone: responses on the wire and unanswered steers end with `e`
    /// (`queued`: those still waiting too); a response the socket is done with keeps the end it
    /// saw, one given up ends quietly.
    fn end_all(&mut self, e: Error, queued: bool) {
        self.conn = Conn::Closed;
        let e = e.redacted(self.redactor.as_deref());
        for s in &mut self.slots {
            match s.state {
                SlotState::Sent => s.end(Some(e.clone())),
                SlotState::Queued if queued => s.end(Some(e.clone())),
                SlotState::Discarding => s.end(None),
                _ => {}
            }
        }
        for st in &mut self.steers {
            st.holding = false;
            if queued {
                st.frame = None;
            }
            if st.outcome.is_none() && st.frame.is_none() {
                st.outcome = Some(SteerOutcome::Failed(e.clone()));
            }
        }
        self.lanes.clear();
        self.collect();
    }

    /// The next frame to send (while the action is [`Action::Send`]): steers first, then the
    /// head of each idle lane, in the order the requests were made.
    pub fn take_frame(&mut self) -> Option<String> {
        if !matches!(self.conn, Conn::Open { .. }) {
            return None;
        }
        if let Some(st) = self.steers.iter_mut().find(|s| s.frame.is_some()) {
            return st.frame.take();
        }
        if self.aged {
            return None;
        }
        let id = self.next_frame()?;
        let slot = self.slot_mut(id)?;
        slot.state = SlotState::Sent;
        let lane_key = slot.lane.clone();
        let frame = slot.frame.take();
        if let Some(lane) = self.lane_mut(&lane_key) {
            lane.active = Some(id);
        }
        frame
    }

    /// The first queued response (slots keep the order of the requests) whose lane is idle: the
    /// head of that lane's queue.
    fn next_frame(&self) -> Option<u32> {
        let ready = |l: &Lane| l.active.is_none() && l.held == 0;
        self.slots.iter().find(|s| s.state == SlotState::Queued && self.lane(&s.lane).map_or(true, ready)).map(|s| s.id)
    }

    /// A text frame arrived: one event, routed to its response (see the module docs).
    pub fn on_frame(&mut self, text: &str) -> Routed {
        let head = frames::head(text);
        if let Some(kind) = head.ty.as_deref().and_then(|t| t.strip_prefix("response.steer.")) {
            return self.on_steer_event(kind, text);
        }
        let lane_idx = match &head.stream_id {
            Some(sid) => self.lanes.iter().position(|l| l.key.as_deref() == Some(sid.as_str())),
            None => {
                self.lanes.iter().position(|l| l.key.is_none() && (l.active.is_some() || l.held > 0)).or_else(|| {
                    // An event without a lane (an `error` a server sends before it knows the request):
                    // it belongs to the one response on the wire, when there is only one.
                    let mut running = None;
                    for (i, l) in self.lanes.iter().enumerate() {
                        if l.active.is_some() {
                            if running.is_some() {
                                return None;
                            }
                            running = Some(i);
                        }
                    }
                    running
                })
            }
        };
        let Some(lane_idx) = lane_idx else { return Routed::Dropped };
        // No other lane runs a response or waits for a successor: a frame without a lane can be
        // nobody else's.
        let alone = self.lanes.iter().enumerate().all(|(i, l)| i == lane_idx || (l.active.is_none() && l.held == 0));
        let Some(lane) = self.lanes.get_mut(lane_idx) else { return Routed::Dropped };
        let successor_error = head.ty.as_deref() == Some("error") && (head.stream_id.is_some() || alone);
        let (id, successor) = match lane.active {
            Some(id) => (id, false),
            None if lane.held > 0 && (head.ty.as_deref() == Some("response.created") || successor_error) => {
                // The successor of a steered response (or the error the server sends in its
                // place, on its lane: a successor that fails at once): the steers it commits
                // stop holding the lane.
                lane.held = 0;
                let key = lane.key.clone();
                for st in &mut self.steers {
                    if st.holding && st.lane == key {
                        st.holding = false;
                    }
                }
                let id = self.fresh_id();
                self.slots.push(Slot::new(id, key, None, false, SlotState::Sent));
                (id, true)
            }
            None => return Routed::Dropped,
        };
        // A spoiled terminal frame ends its response only where it cannot be another lane's: its
        // lane is named, or no other runs.
        let terminal = head.ty.as_deref().is_some_and(|t| EventKind::from_type(t).is_terminal())
            || (head.spoiled_terminal && (alone || head.stream_id.is_some()));
        let Some(slot) = self.slot_mut(id) else { return Routed::Dropped };
        // A response's frames reach it until its terminal event, even after its call ended on
        // one of them (malformed data, an event over the limit): never the lane's next response.
        let routed = match slot.state {
            SlotState::Sent => {
                slot.response_id = slot.response_id.take().or(head.response_id);
                if successor {
                    Routed::Successor(id)
                } else {
                    Routed::Response(id)
                }
            }
            _ => Routed::Dropped,
        };
        if terminal && matches!(slot.state, SlotState::Sent | SlotState::Discarding) {
            slot.state = SlotState::Done;
        }
        // The lane runs the response (a successor starts on it) until its end.
        let done = slot.state == SlotState::Done;
        if let Some(l) = self.lanes.get_mut(lane_idx) {
            l.active = if done { None } else { Some(id) };
        }
        if done {
            self.collect();
        }
        routed
    }

    fn on_steer_event(&mut self, kind: &str, text: &str) -> Routed {
        let v: Value = crate::event::lenient::parse_value(text).unwrap_or(Value::Null);
        let target =
            v.get("steer").and_then(|t| t.get("previous_response_id")).and_then(Value::as_str).unwrap_or_default();
        let pick = |s: &Steer| s.target == target && s.frame.is_none();
        // `accepted` answers a steer that has no answer yet; `pending` and `failed` may also come
        // later for one accepted earlier (still queued; could not be committed).
        let unanswered = self.steers.iter().position(|s| pick(s) && s.outcome.is_none());
        let found = match kind {
            "accepted" => unanswered,
            _ => unanswered.or_else(|| self.steers.iter().position(|s| pick(s) && s.holding)),
        };
        let Some(st) = found.and_then(|i| self.steers.get_mut(i)) else { return Routed::Dropped };
        let was_holding = st.holding;
        match kind {
            "accepted" => st.outcome = Some(SteerOutcome::Accepted),
            "pending" => {
                st.outcome.get_or_insert(SteerOutcome::Pending);
            }
            "failed" if st.outcome.is_none() => {
                let mut e = steer_error(&v, text);
                if let Some(r) = &self.redactor {
                    e.redact(r);
                }
                st.outcome = Some(SteerOutcome::Failed(Error::Api(Box::new(e))));
            }
            "failed" => {}
            _ => return Routed::Dropped,
        }
        // An accepted steer holds its lane until its successor starts.
        st.holding = kind == "accepted";
        let (now_holding, lane, id) = (st.holding, st.lane.clone(), st.id);
        if now_holding != was_holding {
            if let Some(l) = self.lane_mut(&lane) {
                l.held = if now_holding { l.held + 1 } else { l.held.saturating_sub(1) };
            }
        }
        Routed::Steer(id)
    }

    /// Nothing more is routed to the response: its body ends after the frames routed to it
    /// (events of an aborted response may still arrive, and are dropped).
    pub fn is_done(&self, id: u32) -> bool {
        !matches!(self.slot(id), Some(s) if matches!(s.state, SlotState::Queued | SlotState::Sent))
    }

    /// The consumer gives up a response: one still waiting for its lane is never sent; one on
    /// the wire ends with `Error::Abort` and its remaining events are dropped (the protocol has
    /// no cancel), so its lane's next response waits for its end; other lanes go on.
    pub fn abort(&mut self, id: u32) {
        let Some(slot) = self.slot_mut(id) else { return };
        match slot.state {
            SlotState::Queued => slot.end(Some(Error::Abort)),
            SlotState::Sent => slot.state = SlotState::Discarding,
            _ => {}
        }
        self.collect();
    }

    /// The consumer let go of the response: its memory goes once nothing more can arrive for it.
    pub fn release(&mut self, id: u32) {
        self.abort(id);
        if let Some(s) = self.slot_mut(id) {
            s.released = true;
        }
        self.collect();
    }

    /// Responses not finished (queued or on the wire).
    pub fn pending(&self) -> usize {
        self.slots.iter().filter(|s| matches!(s.state, SlotState::Queued | SlotState::Sent)).count()
    }

    fn collect(&mut self) {
        self.slots.retain(|s| !(s.released && s.state == SlotState::Done));
        self.lanes.retain(|l| l.active.is_some() || l.held > 0);
    }

    fn fresh_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    fn slot(&self, id: u32) -> Option<&Slot> {
        self.slots.iter().find(|s| s.id == id)
    }

    /// (Not inlined: one copy for its callers.)
    #[inline(never)]
    fn slot_mut(&mut self, id: u32) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|s| s.id == id)
    }

    fn lane(&self, key: &Option<String>) -> Option<&Lane> {
        self.lanes.iter().find(|l| &l.key == key)
    }

    fn lane_mut(&mut self, key: &Option<String>) -> Option<&mut Lane> {
        let i = match self.lanes.iter().position(|l| &l.key == key) {
            Some(i) => i,
            None => {
                self.lanes.push(Lane { key: key.clone(), active: None, held: 0 });
                self.lanes.len() - 1
            }
        };
        self.lanes.get_mut(i)
    }
}

impl Slot {
    fn new(id: u32, lane: Option<String>, frame: Option<String>, json_schema: bool, state: SlotState) -> Slot {
        Slot { id, lane, frame, json_schema, response_id: None, state, failure: None, released: false }
    }

    /// Nothing more is routed to it; `failure`: how its call ends.
    fn end(&mut self, failure: Option<Error>) {
        self.state = SlotState::Done;
        self.frame = None;
        self.failure = failure;
    }
}

/// `response.steer.failed` as an error: its `error` object, the event as the body.
fn steer_error(v: &Value, text: &str) -> ApiError {
    let field = |k: &str| v.get("error").and_then(|e| e.get(k)).and_then(Value::as_str).map(str::to_owned);
    ApiError {
        code: field("code"),
        error_type: field("type"),
        param: field("param"),
        message: field("message").unwrap_or_else(|| "the steer failed".to_owned()),
        body: Some(text.to_owned()),
        ..ApiError::default()
    }
}
