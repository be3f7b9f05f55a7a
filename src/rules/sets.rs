//! The rule sets a run checks reports with, each read on first use.
//!
//! Choosing a set for a report reads only a small part of each ([`SetHead`]: its `applies` and
//! `detect` conditions, its report fields, its dimensions). The built-in sets are embedded with
//! that part apart from the rest, so a run deserialises the whole of a set only when a report is
//! checked with it: one report reads one set, not all three.

use super::{Dims, RuleSet};
use crate::facts::spec::ReportSpec;
use std::sync::{Arc, OnceLock};

/// What choosing a rule set reads of it ([`super::choose::choose_ruleset`]), and its rules' ids
/// and names (for checking selectors) — a built-in set's head, read without the rest.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SetHead {
    /// The set's id.
    pub id: String,
    /// Condition for automatic selection.
    pub applies: Option<super::Expr>,
    /// The `applies` condition as written.
    pub applies_src: Option<String>,
    /// Condition on the table layout, used when the year cannot be determined.
    pub detect: Option<super::Expr>,
    /// The `detect` condition as written.
    pub detect_src: Option<String>,
    /// The set's report fields (the reporting year among them).
    pub report: Vec<ReportSpec>,
    /// The set's 2-D vector fields.
    pub dims: Dims,
    /// Every rule's (id, name), in file order.
    pub rules: Vec<(String, String)>,
}

impl SetHead {
    /// The head of a loaded set.
    pub fn of(rs: &RuleSet) -> SetHead {
        SetHead {
            id: rs.id.clone(),
            applies: rs.applies.clone(),
            applies_src: rs.applies_src.clone(),
            detect: rs.detect.clone(),
            detect_src: rs.detect_src.clone(),
            report: rs.fields.report.clone(),
            dims: rs.dims.clone(),
            rules: rs
                .rules
                .iter()
                .map(|r| (r.id.clone(), r.name.clone()))
                .collect(),
        }
    }
}

/// Which rules a run keeps (`--select`, `--ignore`), by id and name.
type Keep = Arc<dyn Fn(&str, &str) -> bool + Send + Sync>;

/// Reads the rest of a set whose serialised form failed to read (the rule files).
type Reload = fn(&str) -> Option<RuleSet>;

/// Rule sets, each deserialised when first used (shared by the threads of a batch).
pub struct Sets {
    heads: Vec<SetHead>,
    sets: Vec<OnceLock<RuleSet>>,
    /// The serialised sets not read yet.
    bodies: Vec<Option<&'static [u8]>>,
    reload: Option<Reload>,
    keep: Option<Keep>,
}

impl std::fmt::Debug for Sets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.heads.iter().map(|h| &h.id))
            .finish()
    }
}

impl From<Vec<RuleSet>> for Sets {
    fn from(sets: Vec<RuleSet>) -> Sets {
        Sets {
            heads: sets.iter().map(SetHead::of).collect(),
            bodies: vec![None; sets.len()],
            sets: sets.into_iter().map(OnceLock::from).collect(),
            reload: None,
            keep: None,
        }
    }
}

impl Sets {
    /// Sets read on first use from their heads and serialised bodies; `reload` gives a set by
    /// its id from its rule file, should a body not read back.
    pub(super) fn lazy(each: Vec<(SetHead, &'static [u8])>, reload: Reload) -> Sets {
        let (heads, bodies): (Vec<_>, Vec<_>) = each.into_iter().map(|(h, b)| (h, Some(b))).unzip();
        Sets {
            sets: heads.iter().map(|_| OnceLock::new()).collect(),
            heads,
            bodies,
            reload: Some(reload),
            keep: None,
        }
    }

    /// How many sets.
    pub fn len(&self) -> usize {
        self.heads.len()
    }

    /// No sets at all.
    pub fn is_empty(&self) -> bool {
        self.heads.is_empty()
    }

    /// The `i`th set's head, without reading the rest of it.
    pub fn head(&self, i: usize) -> &SetHead {
        &self.heads[i]
    }

    /// The heads of all sets.
    pub fn heads(&self) -> &[SetHead] {
        &self.heads
    }

    /// The `i`th set, read now if it was not yet.
    pub fn get(&self, i: usize) -> &RuleSet {
        self.sets[i].get_or_init(|| {
            let read = self.bodies[i].and_then(|b| postcard::from_bytes::<RuleSet>(b).ok());
            let mut rs = read
                .or_else(|| self.reload.and_then(|f| f(&self.heads[i].id)))
                // The bodies are this build's own (their fingerprint was checked) and the test
                // suite reads them back, and the rule files load in the test suite too: neither
                // depends on any input, so this cannot fail at a user's.
                .unwrap_or_else(|| panic!("built-in rule set {} does not load", self.heads[i].id));
            if let Some(keep) = &self.keep {
                rs.rules.retain(|r| keep(&r.id, &r.name));
            }
            rs
        })
    }

    /// Every set, each read now if it was not yet.
    pub fn iter(&self) -> impl Iterator<Item = &RuleSet> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Keeps only the rules `keep` says by (id, name): in the sets read, in those read later,
    /// and in the heads.
    pub fn retain_rules(&mut self, keep: impl Fn(&str, &str) -> bool + Send + Sync + 'static) {
        let keep: Keep = Arc::new(keep);
        for cell in &mut self.sets {
            if let Some(rs) = cell.get_mut() {
                rs.rules.retain(|r| keep(&r.id, &r.name));
            }
        }
        for head in &mut self.heads {
            head.rules.retain(|(id, name)| keep(id, name));
        }
        self.keep = Some(match self.keep.take() {
            None => keep,
            Some(before) => Arc::new(move |id, name| before(id, name) && keep(id, name)),
        });
    }
}
