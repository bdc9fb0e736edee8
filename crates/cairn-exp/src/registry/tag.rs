//! GTO's tag names: `model@v1.2.0` registers a version, `model@v1.2.0!` deregisters it,
//! `model#prod#3` assigns a stage to the commit the tag points at, `model#prod!#4`
//! unassigns it, `model@deprecated#5` deprecates the artifact. An artifact in a
//! subfolder's `dvc.yaml` is `dir/sub:model`, written `dir/sub=model` in tags.

use std::sync::OnceLock;

use regex::Regex;

/// What a tag does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Register(String),
    Deregister(String),
    Assign(String),
    Unassign(String),
    Deprecate,
}

/// A tag name understood as a registry action on an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub artifact: String,
    pub action: Action,
    /// The `#N` GTO appends to make assignment tags unique.
    pub counter: Option<u64>,
}

fn tag_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // GTO's `tag_re`, with its `:` in names written as `=`.
        let dirname = r"[a-zA-Z0-9\-_./]+";
        let name = r"[a-zA-Z0-9](?:[a-zA-Z0-9\-/_]*[a-zA-Z0-9])?";
        let semver = r"(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-(?:(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?";
        Regex::new(&format!(
            r"^(?P<artifact>(?:{dirname}=)?{name})(?:(?:#(?P<stage>{name})|@(?P<version>v{semver}))(?P<cancel>!?)|@(?:(?P<deprecated>deprecated)|(?P<created>created)))(?:#(?P<counter>[0-9]+))?$"
        ))
        .expect("GTO's tag pattern compiles")
    })
}

const NAME: &str = r"[a-zA-Z0-9](?:[a-zA-Z0-9\-/_]*[a-zA-Z0-9])?";

/// A stage or plain artifact name GTO accepts (`prod`, `nlp-model`).
pub fn valid_name(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!("^{NAME}$")).expect("compiles"))
        .is_match(s)
}

/// An artifact name GTO accepts, with the folder of its `dvc.yaml` if not the root
/// (`dir/sub:model`).
pub fn valid_artifact(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!(r"^(?:[a-zA-Z0-9\-_./]+:)?{NAME}$")).expect("compiles"))
        .is_match(s)
}

/// The action a tag name stands for; `None` for any other tag (and for `@created`,
/// which records nothing GTO shows).
pub fn parse(tag: &str) -> Option<Parsed> {
    let m = tag_re().captures(tag)?;
    let artifact = m.name("artifact")?.as_str().replace('=', ":");
    let cancel = m.name("cancel").is_some_and(|c| c.as_str() == "!");
    let action = if let Some(v) = m.name("version") {
        let v = v.as_str().to_string();
        if cancel {
            Action::Deregister(v)
        } else {
            Action::Register(v)
        }
    } else if let Some(s) = m.name("stage") {
        let s = s.as_str().to_string();
        if cancel {
            Action::Unassign(s)
        } else {
            Action::Assign(s)
        }
    } else if m.name("deprecated").is_some() {
        Action::Deprecate
    } else {
        return None;
    };
    let counter = m.name("counter").and_then(|c| c.as_str().parse().ok());
    Some(Parsed {
        artifact,
        action,
        counter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(tag: &str) -> Option<(String, Action)> {
        parse(tag).map(|p| (p.artifact, p.action))
    }

    #[test]
    fn reads_gto_tag_names() {
        assert_eq!(
            p("model@v1.2.0"),
            Some(("model".into(), Action::Register("v1.2.0".into())))
        );
        assert_eq!(
            p("model@v1.2.0-rc.1!"),
            Some(("model".into(), Action::Deregister("v1.2.0-rc.1".into())))
        );
        assert_eq!(
            p("model#prod#3"),
            Some(("model".into(), Action::Assign("prod".into())))
        );
        assert_eq!(
            p("model#prod!#4"),
            Some(("model".into(), Action::Unassign("prod".into())))
        );
        assert_eq!(
            p("model@deprecated#5"),
            Some(("model".into(), Action::Deprecate))
        );
        assert_eq!(
            p("model@deprecated"),
            Some(("model".into(), Action::Deprecate))
        );
        assert_eq!(
            p("nlp/models=bert@v0.1.0"),
            Some(("nlp/models:bert".into(), Action::Register("v0.1.0".into())))
        );
        assert_eq!(parse("model#prod#12").and_then(|p| p.counter), Some(12));
        assert!(valid_artifact("nlp/sub:bert") && valid_artifact("m2") && !valid_artifact("-m"));
        assert!(valid_name("prod") && !valid_name("pro d") && !valid_name("a:b"));
        for other in [
            "v1.0.0",
            "model@1.0.0",
            "model@v1.0",
            "-x@v1.0.0",
            "model@created",
            "model#",
            "release-2024",
        ] {
            assert_eq!(p(other), None, "{other}");
        }
    }
}
