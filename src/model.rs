//! Plain data shared by analysis, planning and the output formats.

use std::fmt;
use std::ops::Range;

/// The framework a port goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    MindSpore,
    Paddle,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::MindSpore, Target::Paddle];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::MindSpore => "mindspore",
            Target::Paddle => "paddle",
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        match s {
            "mindspore" => Some(Target::MindSpore),
            "paddle" => Some(Target::Paddle),
            _ => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much of a port cuport can do for one touchpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Mechanical rewrite, shown in the diff.
    Direct,
    /// An equivalent exists but arguments or semantics differ.
    Guided,
    /// No equivalent: redesign needed.
    Manual,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Direct, Status::Guided, Status::Manual];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Direct => "direct",
            Status::Guided => "guided",
            Status::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "direct" => Some(Status::Direct),
            "guided" => Some(Status::Guided),
            "manual" => Some(Status::Manual),
            _ => None,
        }
    }
}

/// What kind of source construct a rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleKind {
    Function,
    Type,
    Enum,
    Macro,
    Header,
    Method,
    Launch,
    Intrinsic,
}

impl RuleKind {
    pub const ALL: [RuleKind; 8] = [
        RuleKind::Function,
        RuleKind::Type,
        RuleKind::Enum,
        RuleKind::Macro,
        RuleKind::Header,
        RuleKind::Method,
        RuleKind::Launch,
        RuleKind::Intrinsic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Function => "function",
            RuleKind::Type => "type",
            RuleKind::Enum => "enum",
            RuleKind::Macro => "macro",
            RuleKind::Header => "header",
            RuleKind::Method => "method",
            RuleKind::Launch => "launch",
            RuleKind::Intrinsic => "intrinsic",
        }
    }

    pub fn parse(s: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where in the source a match was found; decides whether a template may be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchContext {
    /// Ordinary parsed code.
    Code,
    /// Inside a `#define` body (matched token by token).
    MacroBody,
    /// Inside a region tree-sitter could not parse.
    ParseError,
}

/// The shape of a call around a matched name, used by rewrite templates.
#[derive(Clone, Debug, Default)]
pub struct CallShape {
    /// The whole call expression (`cudaMalloc(&p, n)`).
    pub range: Range<usize>,
    /// Each argument's byte range, in order.
    pub args: Vec<Range<usize>>,
    /// Receiver of a method call (`t` in `t.data_ptr<float>()`).
    pub recv: Option<Range<usize>>,
    /// The member operator (`.` or `->`).
    pub op: Option<Range<usize>>,
    /// Template arguments without the angle brackets.
    pub targs: Option<Range<usize>>,
    /// Why this call must not be rewritten, when it must not.
    pub unsafe_reason: Option<String>,
}

/// What a match refers to in the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchRef {
    /// Index of a rule in the catalog.
    Rule(usize),
    /// A CUDA-looking name that has no rule yet, with the library inferred from its prefix.
    Unmapped { library: &'static str },
}

/// What the code around a matched name does with it: whether renaming it alone keeps the code
/// compiling depends on this.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Site {
    /// An ordinary use.
    #[default]
    Use,
    /// The name is being declared or defined here (`typedef … CUcontext;`, `#define cudaX hipX`,
    /// a function-pointer variable named like the API).
    Declaration,
    /// A value passed to the call whose expression spans this range.
    Argument(Range<usize>),
    /// A `case` label: a renamed constant still compiles there.
    Comparison,
    /// Compared with `==`/`!=` against the operand spanning this range: fine unless that operand
    /// stays CUDA (an `enum class` does not compare with another enum).
    Compared(Range<usize>),
    /// Initialises a declaration whose type specifier spans this range.
    Initializer(Range<usize>),
    /// A type in the parameter list of a function (overloads may collide), with the
    /// parameter's name.
    Parameter {
        function: String,
        var: String,
        /// Where the parameter is visible (the function definition; empty for a prototype).
        scope: Range<usize>,
    },
    /// The type of a variable or member declaration: the names it declares, and the calls
    /// that initialise them.
    DeclaredType {
        vars: Vec<String>,
        init_calls: Vec<Range<usize>>,
        /// Where the names are visible (the enclosing block; the whole file for globals and
        /// members).
        scope: Range<usize>,
        /// For members, the struct, class or union that declares them (else empty): building
        /// one from values (`T{a, b}`, `T(a, b)`) hands it values of the members' types.
        owner: String,
    },
    /// Inside a statement that parses as a block-scope function declaration, which in real code
    /// is a macro call without `;`: its arguments are not known.
    Misparsed,
    /// The return type of this function's definition (which spans `scope`).
    ReturnType {
        function: String,
        scope: Range<usize>,
    },
    /// Assigned to this variable (`v = X;`).
    Assigned(String),
    /// Assigned to a member, returned, or used in any other expression whose type is unknown here.
    Value,
}

/// One CUDA touchpoint found in a file, independent of the target.
#[derive(Clone, Debug)]
pub struct ApiMatch {
    pub what: MatchRef,
    /// The CUDA name as matched (qualified names without spaces).
    pub name: String,
    /// The matched name token(s).
    pub name_range: Range<usize>,
    /// The span reported to the user (the call for calls, else the name).
    pub span: Range<usize>,
    pub call: Option<CallShape>,
    pub context: MatchContext,
    pub site: Site,
}

/// A `<<<…>>>` launch of a kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchSite {
    pub kernel: String,
    pub path: String,
    pub line: usize,
    pub config: Vec<String>,
}

/// A touchpoint resolved against the catalog for both targets: what every output format prints.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Rule id, or `unmapped`.
    pub rule: String,
    /// Index in the catalog (None for unmapped).
    pub rule_index: Option<usize>,
    pub cuda: String,
    pub kind: String,
    pub library: String,
    pub category: String,
    pub span: Range<usize>,
    pub name_range: Range<usize>,
    /// Per target; empty for unmapped names.
    pub targets: Vec<(Target, TargetFinding)>,
}

impl Finding {
    pub fn target(&self, t: Target) -> Option<&TargetFinding> {
        self.targets.iter().find(|(x, _)| *x == t).map(|(_, f)| f)
    }

    pub fn is_unmapped(&self) -> bool {
        self.rule_index.is_none()
    }
}

/// A finding's outcome on one target.
#[derive(Clone, Debug)]
pub struct TargetFinding {
    pub api: String,
    /// The effective status: a direct rule that could not be applied here becomes guided.
    pub status: Status,
    pub note: String,
    /// The rewritten text, when the rewrite is applied.
    pub replacement: Option<String>,
}
