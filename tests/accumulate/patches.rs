//! Patches: every way of reading them gives, after every event, exactly the snapshot of the
//! reference model — on every recorded and synthetic stream and on random event sequences
//! (malformed ones included); their JSON encoding; what the patches-only accumulator keeps and
//! allocates.

use super::*;

/// One stream read five ways, compared after every event: the accumulator with its snapshot,
/// one without (patches only), `Mirror` applying the latter's patches, the JS-style applier
/// applying their JSON, and the reference model (an independent implementation of the rules).
struct Readers {
    full: Accumulator,
    lean: Accumulator,
    model: model::Model,
    mirror: Mirror,
    json: Option<Value>,
}

impl Readers {
    fn new() -> Self {
        Readers {
            full: Accumulator::new(),
            lean: Accumulator::without_snapshot(),
            model: model::Model::default(),
            mirror: Mirror::new(),
            json: None,
        }
    }

    fn push(&mut self, ev: &ResponseEvent, ctx: &str) {
        let decided = self.full.ending().is_terminal();
        self.full.push(ev);
        self.lean.push(ev);
        self.model.push(ev);
        let at = format!("{ctx}: after `{}` {}", ev.event_type(), ev.json().chars().take(200).collect::<String>());
        assert_eq!(self.full.patches(), self.lean.patches(), "{at}: the same patches with or without a snapshot");
        self.mirror.apply_all(self.lean.patches(), ev);
        let mut buf = String::new();
        self.lean.write_patches_json(&mut buf);
        let ops: Value = serde_json::from_str(&buf).unwrap_or_else(|e| panic!("{at}: patch JSON {e}: {buf}"));
        let event: Value = serde_json::from_str(ev.json()).expect("event JSON");
        json_applier::apply(&mut self.json, &ops, &event);

        let want = self.model.snapshot();
        assert_eq!(self.full.snapshot(), want, "{at}: accumulator vs model\npatches {buf}");
        assert_eq!(self.mirror.value(), want, "{at}: Mirror vs model");
        assert_eq!(self.json.as_ref(), want, "{at}: JSON applier vs model\npatches {buf}");
        assert_eq!(self.full.output_text(), self.model.output_text(), "{at}: output_text");
        if let Some(snap) = want {
            assert_eq!(self.full.output_text(), compute_output_text(snap), "{at}: output_text recount");
        }
        assert_eq!(accumulator_version(&self.full), self.model.version(), "{at}: version");
        assert_eq!(accumulator_version(&self.lean), accumulator_version(&self.full), "{at}: lean version");
        assert_eq!(accumulator_has_response(&self.lean), want.is_some(), "{at}: has_response");
        assert!(self.lean.snapshot().is_none() && self.lean.response_json().is_none() && self.lean.output_text() == "");
        match (self.full.ending(), self.lean.ending()) {
            (Ending::Failed(f), Ending::Failed(l)) | (Ending::Error(f), Ending::Error(l)) => {
                assert_eq!(l.response, None, "{at}: no snapshot JSON without a snapshot");
                assert_eq!((&f.code, &f.message, &f.body), (&l.code, &l.message, &l.body), "{at}: outcome");
                if !decided {
                    // Decided by this event: it carries the snapshot as it is now.
                    let carried = f.response.as_deref().map(|r| serde_json::from_str::<Value>(r).expect("JSON"));
                    assert_eq!(carried.as_ref(), self.full.snapshot(), "{at}: the outcome's snapshot");
                }
            }
            (f, l) => assert_eq!(f, l, "{at}: outcome"),
        }
    }
}

fn read_all(file: &str, evs: &[ResponseEvent]) -> Readers {
    let mut r = Readers::new();
    for e in evs {
        r.push(e, file);
    }
    r
}

#[test]
fn patches_rebuild_every_recorded_and_synthetic_stream_exactly() {
    let mut files = sse_files(SYNTHETIC);
    files.extend(shared(RECORDED).unwrap_or_default());
    for p in &files {
        let evs = load(p);
        let r = read_all(&name(p), &evs);
        assert_eq!(r.full.snapshot(), r.json.as_ref());
        // Dropping the `.done` events (deltas alone) and replaying events: still the same.
        read_all(&format!("{} (deltas only)", name(p)), &deltas_only(&evs));
        let twice: Vec<_> = evs.iter().flat_map(|e| [e.clone(), e.clone()]).collect();
        read_all(&format!("{} (every event twice)", name(p)), &twice);
    }
}

/// A random event, from a few random numbers: every kind the accumulator reads, with indices
/// in and out of range or missing, fields of the wrong type, payloads that are not objects.
fn random_event(kind: u8, a: u8, b: u8, c: u8, text: &str) -> Value {
    let index = |n: u8| match n % 8 {
        6 => json!(u64::MAX),
        7 => Value::Null, // left out below
        k => json!(k % 4),
    };
    let part = |n: u8| match n % 7 {
        0 => json!({"type":"output_text","text":text,"annotations":[]}),
        1 => json!({"type":"output_text","text":text}),
        2 => json!({"type":"refusal","refusal":text}),
        3 => json!({"type":"reasoning_text","text":text}),
        4 => json!({"type":"output_text","text":7,"annotations":"x"}),
        5 => json!({"type":"summary_text","text":text}),
        _ => json!(7),
    };
    let parts = |n: u8| match n % 6 {
        0 => Value::Null,
        1 => json!("not an array"),
        2 => json!([]),
        3 => json!([part(n / 6)]),
        _ => json!([part(n / 6), part(n / 3), part(n)]),
    };
    let item = |n: u8| match n % 7 {
        0 | 1 => json!({"type":"message","id":format!("m{}", n % 3),"content":parts(n / 7)}),
        2 => {
            let args = ["", "{\"q\":\"ab", "[1,{\"k\":true}]", "not json", "{}"][usize::from(n / 7) % 5];
            json!({"type":"function_call","id":format!("f{}", n % 3),"arguments":args})
        }
        3 => json!({"type":"code_interpreter_call","id":"c","code":null}),
        4 => json!({"type":"reasoning","id":"r","summary":parts(n / 7),"content":null}),
        5 => json!({"type":"message","content":parts(n / 7)}),
        _ => json!("not an object"),
    };
    let output = |n: u8| match n % 5 {
        0 => json!([]),
        1 => Value::Null,
        2 => json!([item(n / 5)]),
        3 => json!([item(n / 5), item(n / 2)]),
        _ => json!("x"),
    };
    // The `n`th of the `kinds` (round the list).
    let ty = |kinds: &str, n: u8| kinds.split_whitespace().cycle().nth(usize::from(n)).unwrap().to_owned();
    let mut e = match kind % 12 {
        0 => json!({"type":ty("response.created response.in_progress response.queued", a),
            "response":{"id":"r","status":"in_progress","output":output(b),"output_text":"server"}}),
        1 => {
            let t = ty("response.completed response.incomplete response.failed response.in_progress", a);
            match b % 4 {
                0 => json!({"type":t}),
                1 => json!({"type":t,"response":[1]}),
                _ => json!({"type":t,"response":{"id":"r","output":output(c),"error":{"code":"x","message":"m"}}}),
            }
        }
        2 | 3 => json!({"type":ty("response.output_item.added response.output_item.done", a),
            "output_index":index(b),"item":item(c)}),
        4 => {
            let kinds = "response.content_part.added response.content_part.done response.reasoning_summary_part.added \
                response.reasoning_summary_part.done";
            let t = ty(kinds, a);
            json!({"type":t,"output_index":index(b),"content_index":index(c),"summary_index":index(c / 8),"part":part(c / 3)})
        }
        5..=8 => {
            let kinds = "response.output_text.delta response.output_text.delta response.output_text.done \
                response.refusal.delta response.refusal.done response.reasoning_text.delta \
                response.reasoning_summary_text.delta response.reasoning_summary_text.done \
                response.function_call_arguments.delta response.function_call_arguments.done \
                response.code_interpreter_call_code.delta response.custom_tool_call_input.done";
            let t = ty(kinds, a);
            // Arguments events get pieces of JSON too (their `parsed_arguments` grows).
            const PIECES: [&str; 8] = ["{\"a\"", ":1", ",\"b\":[tr", "ue,-0.5e", "1]}", "\"x\\u00", "e9\"", " "];
            let json_piece = t.starts_with("response.function_call_arguments") && c % 3 != 0;
            let value = if c % 9 == 8 {
                json!(7)
            } else if json_piece {
                json!(PIECES[usize::from(b / 3) % PIECES.len()])
            } else {
                json!(text)
            };
            json!({"type":t,"output_index":index(b),"content_index":index(c),"summary_index":index(c / 4),
                "delta":value,"text":value,"refusal":value,"arguments":value,"code":value,"input":value})
        }
        9 => json!({"type":"response.output_text.annotation.added","output_index":index(a),"content_index":index(b),
            "annotation_index":index(c),"annotation":{"n":c}}),
        10 => {
            let kinds = "response.web_search_call.searching response.mcp_call.failed \
                response.image_generation_call.partial_image";
            json!({"type":ty(kinds, a),"output_index":index(b),"item_id":format!("m{}", c % 3)})
        }
        _ => json!({"type":ty("error keepalive response.brand_new.delta response.audio.delta", a),
            "message":"boom","delta":text,"output_index":0}),
    };
    // `Null` marks a field left out; an item_id sometimes instead of, or besides, an index.
    if let Value::Object(o) = &mut e {
        o.retain(|_, v| !v.is_null());
        if b % 5 == 0 {
            o.insert("item_id".to_owned(), json!(format!("m{}", a % 3)));
        }
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn patches_rebuild_random_event_sequences_exactly(
        events in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), "[a-zé🌍 \"\\\\\n]{0,5}"), 0..50),
        start in any::<bool>(),
    ) {
        let mut r = Readers::new();
        if start {
            r.push(&created(), "start");
        }
        for (kind, a, b, c, text) in &events {
            let e = random_event(*kind, *a, *b, *c, text);
            let e = ResponseEvent::from_json(&e.to_string()).expect("an event");
            r.push(&e, "random");
        }
    }
}

/// Feeds each event of `table` (lines: an event, then the exact patch JSON it writes; `//` lines
/// are comments) to `acc`.
fn patch_steps(acc: &mut Accumulator, table: &str) {
    let lines: Vec<&str> = table.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")).collect();
    assert_eq!(lines.len() % 2, 0, "events and patches in pairs");
    let mut out = String::new();
    for pair in lines.chunks(2) {
        let (event, want) = (pair[0], pair[1]);
        acc.push(&ev(serde_json::from_str(event).expect("an event")));
        out.clear();
        acc.write_patches_json(&mut out);
        assert_eq!(out, want, "after {event}");
    }
}

#[test]
fn the_patch_encoding() {
    let mut acc = Accumulator::without_snapshot();
    patch_steps(
        &mut acc,
        r#"
        {"type":"response.created","response":{"id":"r","output":[]}}
        [["r",0],["j",["output_text"],[]]]
        {"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m"}}
        [["t",["output",0],"item"]]
        {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"Hi"}
        [["s",["output",0,"content"],[]],["s",["output",0,"content",0],{"annotations":[],"text":"","type":"output_text"}],["a",["output",0,"content",0,"text"],"delta"],["a",["output_text"],"delta"]]
        {"type":"response.output_text.delta","item_id":"m","content_index":0,"delta":"!"}
        [["a",["output",0,"content",0,"text"],"delta"],["a",["output_text"],"delta"]]
        {"type":"response.output_text.done","output_index":0,"content_index":0,"text":"Hi!"}
        [["t",["output",0,"content",0,"text"],"text"],["j",["output_text"],[["output",0,"content",0,"text"]]]]
        {"type":"response.web_search_call.searching","item_id":"m","output_index":0}
        [["s",["output",0,"status"],"searching"]]
        // An item never announced is created; it takes over the output index.
        {"type":"response.web_search_call.searching","item_id":"ws","output_index":0}
        [["s",["output",1],{"id":"ws","status":"in_progress","type":"web_search_call"}],["s",["output",1,"status"],"searching"]]
        {"type":"response.in_progress","response":{"id":"r","output":[]}}
        [["r",1]]
        {"type":"keepalive"}
        []
        "#,
    );
    assert!(acc.patches().is_empty());
    // Before any lifecycle event, an output event starts the snapshot.
    patch_steps(
        &mut Accumulator::without_snapshot(),
        r#"
        {"type":"response.refusal.delta","item_id":"m","delta":"No"}
        [["s",[],{"object":"response","output":[],"output_text":"","status":"in_progress"}],["s",["output",0],{"content":[],"id":"m","role":"assistant","status":"in_progress","type":"message"}],["s",["output",0,"content",0],{"refusal":"","type":"refusal"}],["a",["output",0,"content",0,"refusal"],"delta"]]
        "#,
    );
    // Cat is for other producers; its text is a JSON string literal.
    let mut out = String::new();
    let cat = Patch::Cat { path: cometapi_responses::accumulate::Path::ROOT, text: "a\"\\\n\u{1}é".to_owned() };
    cometapi_responses::accumulate::patch::write_json(&[cat], &mut out);
    assert_eq!(out, r#"[["c",[],"a\"\\\n\u0001é"]]"#);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()[0][2], "a\"\\\n\u{1}é");
}

#[test]
fn without_a_snapshot_the_accumulator_holds_no_text() {
    // Its state is the snapshot's shape: the same after 10 deltas as after 10,000.
    let run = |n: usize| {
        let mut acc = Accumulator::without_snapshot();
        acc.push(&created());
        acc.push(&ev!({"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","content":[]}}));
        let delta = ev!({"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"some words "});
        for _ in 0..n {
            acc.push(&delta);
        }
        acc
    };
    let (short, long) = (run(10), run(10_000));
    // Numbers (text lengths, the version) aside.
    let shape = |acc: &Accumulator| format!("{acc:?}").replace(|c: char| c.is_ascii_digit(), "");
    assert_eq!(shape(&short), shape(&long));
    assert!(!format!("{long:?}").contains("some words"));
    assert_eq!(accumulator_version(&long), 10_002);
    // An error outcome carries no snapshot JSON.
    let mut acc = run(1);
    acc.push(&ev!({"type":"error","code":"x","message":"boom"}));
    let Ending::Error(e) = acc.ending() else { panic!("{:?}", acc.ending()) };
    assert_eq!((&e.response, e.message.as_str()), (&None, "boom"));
}

/// Counts this thread's allocations (the tests run in parallel threads); a `realloc` (the default:
/// `alloc`, copy, `dealloc`) counts as one.
struct CountingAlloc;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

fn allocations() -> usize {
    ALLOCATIONS.with(std::cell::Cell::get)
}

#[test]
fn a_delta_allocates_nothing_but_the_text_it_appends() {
    let delta =
        ev!({"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"word "});
    let start = [
        created(),
        ev!({"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","content":[]}}),
        ev!({"type":"response.content_part.added","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}),
        delta.clone(),
    ];
    // Patches only, their JSON into a reused buffer: no allocation at all.
    let (mut lean, mut json) = (Accumulator::without_snapshot(), String::with_capacity(1024));
    start.iter().for_each(|e| lean.push(e));
    let before = allocations();
    for _ in 0..1000 {
        lean.push(&delta);
        json.clear();
        lean.write_patches_json(&mut json);
    }
    assert_eq!(allocations() - before, 0, "allocations for 1000 deltas without a snapshot");
    // With the snapshot: only its two strings grow (amortised doubling).
    let mut full = Accumulator::new();
    start.iter().for_each(|e| full.push(e));
    let before = allocations();
    for _ in 0..1000 {
        full.push(&delta);
    }
    assert!(allocations() - before <= 2 * 12, "{} allocations for 1000 deltas", allocations() - before);
    assert_eq!(full.output_text().len(), 1001 * 5);
}
