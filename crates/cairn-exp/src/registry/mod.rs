//! The model registry GTO keeps in git tags (DVC's model registry: what Studio and
//! `gto show` display), read from the tags alone. Which version is *latest* and which
//! version each stage (`dev`, `prod`…) holds follow GTO 1.10's rules exactly, which the
//! cross-tool test checks against `gto show --json`:
//! - a version is active while its latest registration is newer than its latest
//!   deregistration; a stage on a version while its latest assignment is newer than
//!   its latest unassignment; an artifact while its newest event of all is not a
//!   deprecation;
//! - *latest* is the highest registered, active version by semantic versioning;
//! - a stage shows the active version whose newest active assignment to it is the most
//!   recent (GTO's default `--sort timestamp`, one version per stage);
//! - a stage assigned to a commit without a registered version names that commit.
//!
//! Tags made within the same second are ordered as GTO orders them only as far as their
//! names do; GTO itself is ambiguous there.

pub mod config;
pub mod tag;
pub mod write;

use std::collections::{BTreeMap, BTreeSet};

use cairn_git::Git;
use cairn_git::tags::AnnotatedTag;
use serde::Serialize;
use serde_json::{Map, Value, json};

use tag::Action;

/// One registry event: a tag (or, for `Commit`, the version's commit itself).
#[derive(Debug, Clone)]
struct Event {
    kind: Kind,
    time: i64,
    by: String,
    message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Commit,
    Deprecation,
    Registration,
    Deregistration,
    Assignment,
    Unassignment,
}

impl Kind {
    fn addition(self) -> bool {
        matches!(self, Kind::Commit | Kind::Registration | Kind::Assignment)
    }
}

/// `events` oldest first (stable on ties), or newest first as GTO reverses them.
fn by_time(mut events: Vec<Event>, ascending: bool) -> Vec<Event> {
    events.sort_by_key(|e| e.time);
    if !ascending {
        events.reverse();
    }
    events
}

#[derive(Debug, Clone, Default)]
struct VStage {
    events: Vec<Event>,
}

impl VStage {
    fn events(&self, ascending: bool) -> Vec<Event> {
        by_time(self.events.clone(), ascending)
    }

    fn active(&self) -> bool {
        self.events(false)
            .first()
            .is_some_and(|e| e.kind == Kind::Assignment)
    }

    fn activated_at(&self) -> Option<i64> {
        self.events(false)
            .first()
            .filter(|e| e.kind == Kind::Assignment)
            .map(|e| e.time)
    }

    /// The newest assignment's time (GTO's `created_at` of a stage on a version).
    fn created_at(&self) -> i64 {
        let events = self.events(false);
        events
            .iter()
            .find(|e| e.kind.addition())
            .or(events.first())
            .map_or(0, |e| e.time)
    }
}

#[derive(Debug, Clone)]
struct VersionState {
    name: String,
    commit: String,
    direct: Vec<Event>,
    enrichments: Vec<Event>,
    stages: Vec<(String, VStage)>,
}

impl VersionState {
    fn new(name: &str, commit: &str) -> Self {
        VersionState {
            name: name.to_string(),
            commit: commit.to_string(),
            direct: Vec::new(),
            enrichments: Vec::new(),
            stages: Vec::new(),
        }
    }

    fn events(&self, direct: bool, indirect: bool, ascending: bool) -> Vec<Event> {
        let mut all = Vec::new();
        if direct {
            all.extend(self.direct.iter().cloned());
        }
        if indirect {
            all.extend(self.enrichments.iter().cloned());
            for (_, s) in &self.stages {
                all.extend(s.events(false));
            }
        }
        by_time(all, ascending)
    }

    fn discovered(&self) -> bool {
        self.direct.is_empty()
    }

    fn registered(&self) -> bool {
        self.direct.iter().any(|e| e.kind == Kind::Registration)
    }

    fn active(&self) -> bool {
        match self.events(true, false, false).first() {
            Some(e) => e.kind == Kind::Registration,
            None => !self.events(false, true, false).is_empty(),
        }
    }

    /// The event that made it: its newest registration, else its newest other event.
    fn authoring(&self) -> Option<Event> {
        let direct = self.events(true, false, false);
        if let Some(e) = direct.iter().find(|e| e.kind.addition()) {
            return Some(e.clone());
        }
        self.events(false, true, false).first().cloned()
    }

    fn stage(&mut self, stage: &str) -> &mut VStage {
        if let Some(i) = self.stages.iter().position(|(s, _)| s == stage) {
            return &mut self.stages[i].1;
        }
        self.stages.push((stage.to_string(), VStage::default()));
        &mut self.stages.last_mut().expect("just pushed").1
    }

    /// Active stages, by when they became active.
    fn active_stages(&self, ascending: bool) -> Vec<(&str, &VStage)> {
        let mut out: Vec<(&str, &VStage)> = self
            .stages
            .iter()
            .filter(|(_, s)| s.active())
            .map(|(n, s)| (n.as_str(), s))
            .collect();
        out.sort_by_key(|(_, s)| s.activated_at());
        if !ascending {
            out.reverse();
        }
        out
    }
}

#[derive(Debug, Clone)]
struct ArtifactState {
    name: String,
    deprecations: Vec<Event>,
    versions: Vec<VersionState>,
}

/// Semantic versions highest first, then other names (commits) in reverse order.
fn semver_desc(versions: &mut Vec<&VersionState>) {
    let parse = |v: &str| semver::Version::parse(v.strip_prefix('v').unwrap_or(v)).ok();
    let (mut valid, mut other): (Vec<&VersionState>, Vec<&VersionState>) =
        versions.iter().partition(|v| parse(&v.name).is_some());
    valid.sort_by_key(|v| std::cmp::Reverse(parse(&v.name)));
    other.sort_by(|a, b| b.name.cmp(&a.name));
    *versions = valid.into_iter().chain(other).collect();
}

impl ArtifactState {
    /// GTO's `find_version(..., create_new=True)`: a version that is not only
    /// discovered, by name and/or commit.
    fn version(&mut self, name: Option<&str>, commit: &str) -> &mut VersionState {
        let found = self.versions.iter().position(|v| {
            name.is_none_or(|n| v.name == n) && v.commit == commit && !v.discovered()
        });
        match found {
            Some(i) => &mut self.versions[i],
            None => {
                self.versions
                    .push(VersionState::new(name.unwrap_or(commit), commit));
                self.versions.last_mut().expect("just pushed")
            }
        }
    }

    fn active(&self) -> bool {
        let mut all: Vec<Event> = self.deprecations.clone();
        for v in &self.versions {
            all.extend(v.events(true, true, false));
        }
        by_time(all, false)
            .first()
            .is_some_and(|e| e.kind != Kind::Deprecation)
    }

    fn latest(&self) -> Option<&VersionState> {
        let mut versions: Vec<&VersionState> = self
            .versions
            .iter()
            .filter(|v| v.active() && v.registered())
            .collect();
        semver_desc(&mut versions);
        versions.first().copied()
    }

    /// Stage → the version it shows (`by_time`: GTO's default timestamp order; else
    /// semantic-version order, which decides only which stages exist).
    fn stages(&self, by_time_order: bool) -> BTreeMap<String, String> {
        let mut versions: Vec<&VersionState> =
            self.versions.iter().filter(|v| v.active()).collect();
        if by_time_order {
            versions.sort_by_key(|v| v.authoring().map_or(0, |e| e.time));
            versions.reverse();
        } else {
            semver_desc(&mut versions);
        }
        let mut assignments: Vec<(&str, &VStage, &str)> = versions
            .iter()
            .flat_map(|v| {
                v.active_stages(true)
                    .into_iter()
                    .map(|(stage, s)| (stage, s, v.name.as_str()))
            })
            .collect();
        if by_time_order {
            assignments.sort_by_key(|(_, s, _)| s.created_at());
            assignments.reverse();
        }
        let mut out = BTreeMap::new();
        for (stage, _, version) in assignments {
            out.entry(stage.to_string())
                .or_insert_with(|| version.to_string());
        }
        out
    }
}

/// One version of an artifact, for people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// `v1.2.0`, or the commit for a stage assigned to an unregistered commit.
    pub version: String,
    pub commit: String,
    /// Registered (by a `@vX.Y.Z` tag) rather than only assigned a stage.
    pub registered: bool,
    /// Not deregistered.
    pub active: bool,
    /// When it was registered (seconds since the epoch), and by whom, with the tag's message.
    pub created: i64,
    pub author: String,
    pub message: String,
    /// The stages it holds now, oldest assignment first.
    pub stages: Vec<String>,
}

/// One artifact as the registry sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Artifact {
    /// As GTO names it: `model`, or `dir/sub:model` for a subfolder's `dvc.yaml`.
    pub name: String,
    /// The highest registered version that is active.
    pub latest: Option<String>,
    /// Stage → the version in it.
    pub stages: BTreeMap<String, String>,
    /// Not deprecated.
    pub active: bool,
    /// Every version, highest first.
    pub versions: Vec<Version>,
}

/// The registry of a repository.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Registry {
    /// By name.
    pub artifacts: Vec<Artifact>,
    /// GTO's table columns: the stages `.gto` allows, or else every stage some active
    /// version holds, sorted.
    pub stages: Vec<String>,
    /// The stages `.gto` allows, when it lists some: only these can be assigned.
    pub allowed_stages: Option<Vec<String>>,
}

impl Registry {
    /// The registry from `git`'s tags (a repository without any has an empty one). Its
    /// stages are those `.gto` lists, in its order, when it lists some (as `gto show`'s
    /// columns are; an unreadable `.gto` lists none here, and refuses writes).
    pub fn load(git: &Git) -> Result<Registry, cairn_git::GitError> {
        let tags = git.annotated_tags()?;
        let commit_time = |c: &str| git.commit_time(c).unwrap_or(0);
        let mut registry = Registry::from_tags(&tags, commit_time);
        registry.allowed_stages = config::GtoConfig::load(git.root())
            .ok()
            .and_then(|c| c.stages);
        if let Some(allowed) = &registry.allowed_stages {
            registry.stages = allowed.clone();
        }
        Ok(registry)
    }

    /// The registry from `tags`; `commit_time` gives a commit's time.
    pub fn from_tags(tags: &[AnnotatedTag], commit_time: impl Fn(&str) -> i64) -> Registry {
        let mut parsed: Vec<(&AnnotatedTag, tag::Parsed)> = tags
            .iter()
            .filter_map(|t| tag::parse(&t.name).map(|p| (t, p)))
            .collect();
        // Tags by time; GTO lists them by name first, so ties stay in name order.
        parsed.sort_by(|(a, _), (b, _)| a.time.cmp(&b.time).then(a.name.cmp(&b.name)));
        let mut artifacts: Vec<ArtifactState> = Vec::new();
        let event = |t: &AnnotatedTag, kind| Event {
            kind,
            time: t.time,
            by: t.tagger.clone(),
            message: t.message.trim().to_string(),
        };
        // GTO indexes deprecations, then registrations, then stages: a stage's version is
        // the one registered at its commit, whenever that was registered.
        for pass in 0..3 {
            for (t, p) in &parsed {
                let pass_of = match p.action {
                    Action::Deprecate => 0,
                    Action::Register(_) | Action::Deregister(_) => 1,
                    Action::Assign(_) | Action::Unassign(_) => 2,
                };
                if pass_of != pass {
                    continue;
                }
                let a = match artifacts.iter().position(|a| a.name == p.artifact) {
                    Some(i) => &mut artifacts[i],
                    None => {
                        artifacts.push(ArtifactState {
                            name: p.artifact.clone(),
                            deprecations: Vec::new(),
                            versions: Vec::new(),
                        });
                        artifacts.last_mut().expect("just pushed")
                    }
                };
                match &p.action {
                    Action::Deprecate => a.deprecations.push(event(t, Kind::Deprecation)),
                    Action::Register(v) => {
                        a.version(Some(v), &t.commit)
                            .direct
                            .push(event(t, Kind::Registration));
                    }
                    Action::Deregister(v) => {
                        a.version(Some(v), &t.commit)
                            .direct
                            .push(event(t, Kind::Deregistration));
                    }
                    Action::Assign(s) | Action::Unassign(s) => {
                        let kind = if matches!(p.action, Action::Assign(_)) {
                            Kind::Assignment
                        } else {
                            Kind::Unassignment
                        };
                        a.version(None, &t.commit)
                            .stage(s)
                            .events
                            .push(event(t, kind));
                    }
                }
            }
        }
        for a in &mut artifacts {
            for v in &mut a.versions {
                v.enrichments.push(Event {
                    kind: Kind::Commit,
                    time: commit_time(&v.commit),
                    by: String::new(),
                    message: String::new(),
                });
            }
        }
        let stages: BTreeSet<String> = artifacts
            .iter()
            .flat_map(|a| a.stages(false).into_keys())
            .collect();
        let mut out: Vec<Artifact> = artifacts.iter().map(artifact).collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Registry {
            artifacts: out,
            stages: stages.into_iter().collect(),
            allowed_stages: None,
        }
    }

    /// What `gto show --json` prints: each active artifact's latest version and the
    /// version in each stage.
    pub fn show_json(&self) -> Value {
        let mut top = Map::new();
        for a in self.artifacts.iter().filter(|a| a.active) {
            let stages: Map<String, Value> = self
                .stages
                .iter()
                .map(|s| (s.clone(), json!(a.stages.get(s))))
                .collect();
            top.insert(
                a.name.clone(),
                json!({"version": a.latest, "stage": stages, "registered": true, "active": true}),
            );
        }
        Value::Object(top)
    }

    /// The versions registered at `commit` (with the stages they hold), by artifact.
    pub fn at_commit(&self, commit: &str) -> Vec<(&Artifact, &Version)> {
        self.artifacts
            .iter()
            .flat_map(|a| {
                a.versions
                    .iter()
                    .filter(move |v| v.commit == commit && v.active && v.registered)
                    .map(move |v| (a, v))
            })
            .collect()
    }
}

fn artifact(a: &ArtifactState) -> Artifact {
    let mut versions: Vec<&VersionState> = a.versions.iter().collect();
    semver_desc(&mut versions);
    Artifact {
        name: a.name.clone(),
        latest: a.latest().map(|v| v.name.clone()),
        stages: a.stages(true),
        active: a.active(),
        versions: versions
            .into_iter()
            .map(|v| {
                let made = v.authoring();
                Version {
                    version: v.name.clone(),
                    commit: v.commit.clone(),
                    registered: v.registered(),
                    active: v.active(),
                    created: made.as_ref().map_or(0, |e| e.time),
                    author: made.as_ref().map(|e| e.by.clone()).unwrap_or_default(),
                    message: made.map(|e| e.message).unwrap_or_default(),
                    stages: if v.active() {
                        v.active_stages(true)
                            .into_iter()
                            .map(|(s, _)| s.to_string())
                            .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, commit: &str, time: i64) -> AnnotatedTag {
        AnnotatedTag {
            name: name.into(),
            commit: commit.into(),
            time,
            tagger: "T".into(),
            tagger_email: "t@e".into(),
            message: format!("{name}\n"),
        }
    }

    fn reg(tags: &[AnnotatedTag]) -> Registry {
        Registry::from_tags(tags, |_| 0)
    }

    #[test]
    fn latest_is_the_highest_active_registered_version() {
        let r = reg(&[
            t("model@v0.2.0", "c2", 10),
            t("model@v0.10.0", "c3", 11),
            t("model@v1.0.0-rc.1", "c4", 12),
            t("model@v0.10.0!", "c3", 13),
        ]);
        let a = &r.artifacts[0];
        assert_eq!(a.latest.as_deref(), Some("v1.0.0-rc.1"));
        let names: Vec<(&str, bool)> = a
            .versions
            .iter()
            .map(|v| (v.version.as_str(), v.active))
            .collect();
        assert_eq!(
            names,
            [("v1.0.0-rc.1", true), ("v0.10.0", false), ("v0.2.0", true)]
        );
        assert_eq!(a.versions[2].message, "model@v0.2.0");
    }

    #[test]
    fn a_stage_shows_the_most_recently_assigned_active_version() {
        let mut tags = vec![
            t("model@v1.0.0", "c1", 10),
            t("model@v2.0.0", "c2", 11),
            t("model#prod#1", "c2", 12),
            t("model#prod#2", "c1", 13),
            t("model#dev#3", "c2", 14),
        ];
        let r = reg(&tags);
        assert_eq!(r.stages, ["dev", "prod"]);
        assert_eq!(
            r.artifacts[0].stages.get("prod").map(String::as_str),
            Some("v1.0.0")
        );
        assert_eq!(r.artifacts[0].versions[0].stages, ["prod", "dev"]);
        // v1.0.0 leaves prod: v2.0.0's assignment is the newest active one.
        tags.push(t("model#prod!#4", "c1", 15));
        let r = reg(&tags);
        assert_eq!(
            r.artifacts[0].stages.get("prod").map(String::as_str),
            Some("v2.0.0")
        );
        // v2.0.0 deregistered: its stages go with it.
        tags.push(t("model@v2.0.0!", "c2", 16));
        let r = reg(&tags);
        assert!(
            r.artifacts[0].stages.is_empty(),
            "{:?}",
            r.artifacts[0].stages
        );
        assert!(r.stages.is_empty());
        // A stage on a commit nobody registered names the commit.
        tags.push(t("model#staging#5", "c9", 17));
        assert_eq!(
            reg(&tags).artifacts[0]
                .stages
                .get("staging")
                .map(String::as_str),
            Some("c9")
        );
    }

    #[test]
    fn deprecation_hides_an_artifact_until_it_is_registered_again() {
        let mut tags = vec![t("old@v1.0.0", "c1", 10), t("old@deprecated#2", "c1", 11)];
        let r = reg(&tags);
        assert!(!r.artifacts[0].active);
        assert_eq!(r.show_json(), json!({}));
        tags.push(t("old@v1.1.0", "c2", 12));
        let r = reg(&tags);
        assert_eq!(
            r.show_json(),
            json!({"old": {"version": "v1.1.0", "stage": {}, "registered": true, "active": true}})
        );
    }
}
