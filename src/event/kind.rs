//! [`EventKind`]: every event type of the Responses streaming protocol by name, and the groups
//! the rest of the crate asks about (lifecycle, terminal, delta, tool status).

use std::fmt;

macro_rules! event_kinds {
    ($($(#[$doc:meta])* $name:ident => $wire:literal,)*) => {
        /// Every event type of the Responses streaming protocol this crate knows by name.
        ///
        /// Unknown types are [`EventKind::Other`]: passed through, never fatal.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventKind {
            $($(#[$doc])* #[doc = concat!("`", $wire, "`")] $name,)*
            /// Any other type (kept as the event's own type string).
            Other,
        }

        impl EventKind {
            /// The kind for a wire type string (`Other` when unknown).
            pub fn from_type(ty: &str) -> EventKind {
                // Nearly every event of a stream: tested first (a match tests the arms in turn).
                if super::lenient::same_bytes(ty.as_bytes(), b"response.output_text.delta") {
                    return EventKind::OutputTextDelta;
                }
                // A scan of the names as data: as fast as a match (which tests its arms in
                // turn) and a fraction of its code.
                const NAMES: &[&str] = &[$($wire,)*];
                let at = NAMES.iter().position(|n| super::lenient::same_bytes(n.as_bytes(), ty.as_bytes()));
                at.and_then(|i| EventKind::ALL.get(i).copied()).unwrap_or(EventKind::Other)
            }

            /// The wire type string, `None` for [`EventKind::Other`].
            pub fn as_str(self) -> Option<&'static str> {
                match self {
                    $(EventKind::$name => Some($wire),)*
                    EventKind::Other => None,
                }
            }

            /// Every named kind (not `Other`), in declaration order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$name,)*];
        }
    };
}

event_kinds! {
    Created => "response.created",
    Queued => "response.queued",
    InProgress => "response.in_progress",
    Completed => "response.completed",
    Incomplete => "response.incomplete",
    Failed => "response.failed",
    Error => "error",
    Keepalive => "keepalive",
    OutputItemAdded => "response.output_item.added",
    OutputItemDone => "response.output_item.done",
    ContentPartAdded => "response.content_part.added",
    ContentPartDone => "response.content_part.done",
    OutputTextDelta => "response.output_text.delta",
    OutputTextDone => "response.output_text.done",
    OutputTextAnnotationAdded => "response.output_text.annotation.added",
    RefusalDelta => "response.refusal.delta",
    RefusalDone => "response.refusal.done",
    FunctionCallArgumentsDelta => "response.function_call_arguments.delta",
    FunctionCallArgumentsDone => "response.function_call_arguments.done",
    ReasoningSummaryPartAdded => "response.reasoning_summary_part.added",
    ReasoningSummaryPartDone => "response.reasoning_summary_part.done",
    ReasoningSummaryTextDelta => "response.reasoning_summary_text.delta",
    ReasoningSummaryTextDone => "response.reasoning_summary_text.done",
    ReasoningTextDelta => "response.reasoning_text.delta",
    ReasoningTextDone => "response.reasoning_text.done",
    CustomToolCallInputDelta => "response.custom_tool_call_input.delta",
    CustomToolCallInputDone => "response.custom_tool_call_input.done",
    CodeInterpreterCallCodeDelta => "response.code_interpreter_call_code.delta",
    CodeInterpreterCallCodeDone => "response.code_interpreter_call_code.done",
    McpCallArgumentsDelta => "response.mcp_call_arguments.delta",
    McpCallArgumentsDone => "response.mcp_call_arguments.done",
    WebSearchCallInProgress => "response.web_search_call.in_progress",
    WebSearchCallSearching => "response.web_search_call.searching",
    WebSearchCallCompleted => "response.web_search_call.completed",
    WebSearchCallFailed => "response.web_search_call.failed",
    FileSearchCallInProgress => "response.file_search_call.in_progress",
    FileSearchCallSearching => "response.file_search_call.searching",
    FileSearchCallCompleted => "response.file_search_call.completed",
    FileSearchCallFailed => "response.file_search_call.failed",
    CodeInterpreterCallInProgress => "response.code_interpreter_call.in_progress",
    CodeInterpreterCallInterpreting => "response.code_interpreter_call.interpreting",
    CodeInterpreterCallCompleted => "response.code_interpreter_call.completed",
    CodeInterpreterCallFailed => "response.code_interpreter_call.failed",
    ImageGenerationCallInProgress => "response.image_generation_call.in_progress",
    ImageGenerationCallGenerating => "response.image_generation_call.generating",
    ImageGenerationCallPartialImage => "response.image_generation_call.partial_image",
    ImageGenerationCallCompleted => "response.image_generation_call.completed",
    ImageGenerationCallFailed => "response.image_generation_call.failed",
    McpCallInProgress => "response.mcp_call.in_progress",
    McpCallCompleted => "response.mcp_call.completed",
    McpCallFailed => "response.mcp_call.failed",
    McpListToolsInProgress => "response.mcp_list_tools.in_progress",
    McpListToolsCompleted => "response.mcp_list_tools.completed",
    McpListToolsFailed => "response.mcp_list_tools.failed",
    AudioDelta => "response.audio.delta",
    AudioDone => "response.audio.done",
    AudioTranscriptDelta => "response.audio.transcript.delta",
    AudioTranscriptDone => "response.audio.transcript.done",
}

impl EventKind {
    /// `response.created/queued/in_progress/completed/incomplete/failed`: events that carry
    /// the whole Response.
    pub fn is_lifecycle(self) -> bool {
        matches!(
            self,
            EventKind::Created
                | EventKind::Queued
                | EventKind::InProgress
                | EventKind::Completed
                | EventKind::Incomplete
                | EventKind::Failed
        )
    }

    /// `response.completed/incomplete/failed` and `error`: nothing follows them.
    pub fn is_terminal(self) -> bool {
        matches!(self, EventKind::Completed | EventKind::Incomplete | EventKind::Failed | EventKind::Error)
    }

    /// The `*.delta` events the accumulator appends (audio deltas are not part of a Response).
    pub fn is_delta(self) -> bool {
        matches!(
            self,
            EventKind::OutputTextDelta
                | EventKind::RefusalDelta
                | EventKind::FunctionCallArgumentsDelta
                | EventKind::ReasoningSummaryTextDelta
                | EventKind::ReasoningTextDelta
                | EventKind::CustomToolCallInputDelta
                | EventKind::CodeInterpreterCallCodeDelta
                | EventKind::McpCallArgumentsDelta
        )
    }

    /// The field whose string the accumulator reads as the event's text: `delta` for
    /// [`is_delta`](Self::is_delta) events, the final value for their `*.done` counterparts.
    pub(crate) fn text_field(self) -> Option<&'static str> {
        use EventKind::*;
        Some(match self {
            k if k.is_delta() => "delta",
            OutputTextDone | ReasoningSummaryTextDone | ReasoningTextDone => "text",
            RefusalDone => "refusal",
            FunctionCallArgumentsDone | McpCallArgumentsDone => "arguments",
            CustomToolCallInputDone => "input",
            CodeInterpreterCallCodeDone => "code",
            _ => return None,
        })
    }

    /// The field holding the object the accumulator reads: `response` (lifecycle), `item`,
    /// `part` or `annotation`.
    pub(crate) fn payload_field(self) -> Option<&'static str> {
        use EventKind::*;
        Some(match self {
            k if k.is_lifecycle() => "response",
            OutputItemAdded | OutputItemDone => "item",
            ContentPartAdded | ContentPartDone | ReasoningSummaryPartAdded | ReasoningSummaryPartDone => "part",
            OutputTextAnnotationAdded => "annotation",
            _ => return None,
        })
    }

    /// For tool status events: the `status` they give the output item
    /// (`partial_image` counts as `generating`).
    pub fn tool_status(self) -> Option<&'static str> {
        use EventKind::*;
        Some(match self {
            WebSearchCallInProgress
            | FileSearchCallInProgress
            | CodeInterpreterCallInProgress
            | ImageGenerationCallInProgress
            | McpCallInProgress
            | McpListToolsInProgress => "in_progress",
            WebSearchCallSearching | FileSearchCallSearching => "searching",
            CodeInterpreterCallInterpreting => "interpreting",
            ImageGenerationCallGenerating | ImageGenerationCallPartialImage => "generating",
            WebSearchCallCompleted
            | FileSearchCallCompleted
            | CodeInterpreterCallCompleted
            | ImageGenerationCallCompleted
            | McpCallCompleted
            | McpListToolsCompleted => "completed",
            WebSearchCallFailed
            | FileSearchCallFailed
            | CodeInterpreterCallFailed
            | ImageGenerationCallFailed
            | McpCallFailed
            | McpListToolsFailed => "failed",
            _ => return None,
        })
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str().unwrap_or("(other)"))
    }
}
