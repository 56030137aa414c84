//! Escalation plans: several attacks run one after the other, cheapest first, stopping at the
//! first hit for every token or at a time limit, with a report of what each phase covered.
//!
//! Each phase is a separate [`crate::crack`] run over the tokens still unsolved, so attempt
//! counts are per phase and exact. The time limit cancels the running phase after its current
//! chunks and skips the rest; the report then says how far the cancelled phase got and which
//! phases never ran — "not found" after a plan is a statement about what was tried, never a proof
//! that a key is strong.

use crate::engine::{crack, CandidateSource, CrackOptions, Found, Progress, TargetOutcome};
use crate::token::Target;
use crate::CrackError;
use std::fmt;
use std::time::{Duration, Instant};

/// Builds a phase's candidates when the phase starts (files are opened only then).
pub type SourceFactory = Box<dyn FnOnce() -> Result<Box<dyn CandidateSource>, CrackError> + Send>;

/// One attack of a plan.
pub struct Phase {
    /// What it tries (`known keys`, `mask ?l?l?l?l?l?l (lengths 1-6)`, ...).
    pub name: String,
    /// Its number of candidates, when known in advance.
    pub size: Option<u64>,
    source: SourceFactory,
}

impl fmt::Debug for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Phase")
            .field("name", &self.name)
            .field("size", &self.size)
            .finish()
    }
}

impl Phase {
    /// A phase named `name` whose candidates `source` builds when the phase starts.
    pub fn new(
        name: impl Into<String>,
        size: Option<u64>,
        source: impl FnOnce() -> Result<Box<dyn CandidateSource>, CrackError> + Send + 'static,
    ) -> Phase {
        Phase {
            name: name.into(),
            size,
            source: Box::new(source),
        }
    }

    /// A phase over a source that already exists.
    pub fn from_source(name: impl Into<String>, source: impl CandidateSource + 'static) -> Phase {
        let size = source.size_hint();
        Phase::new(name, size, move || {
            Ok(Box::new(source) as Box<dyn CandidateSource>)
        })
    }
}

/// How a phase ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseStatus {
    /// Every candidate was tried (or every remaining token was found).
    Complete,
    /// The time limit stopped it part-way.
    Stopped,
    /// Not started: the time limit had passed.
    NotStarted,
    /// Not needed: every token was found before it.
    NotNeeded,
}

/// What one phase did.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseReport {
    /// The phase's name.
    pub name: String,
    /// Its number of candidates, when known.
    pub size: Option<u64>,
    /// Candidates tried (for a phase that found every remaining token: up to the last hit).
    pub tried: u64,
    /// How it ended.
    pub status: PhaseStatus,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Tokens (indices into the plan's targets) found in this phase.
    pub found: Vec<usize>,
}

/// The result of [`run_plan`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlanReport {
    /// One report per phase, in plan order (also for phases that did not run).
    pub phases: Vec<PhaseReport>,
    /// Per target: the phase index and the hit, or `None`.
    pub found: Vec<Option<(usize, Found)>>,
    /// Whether the time limit ended the plan.
    pub timed_out: bool,
}

/// Runs `phases` in order on `targets` until every target is found, the phases are exhausted, or
/// `time_limit` has passed. `on_phase` is called as each phase ends (for live reporting).
///
/// ```
/// use waxseal_crack::{encode_signature, run_plan, sign, CrackOptions, IterSource, Mask, IndexedSource, Phase, PhaseStatus, Progress, Scheme, Target};
/// let msg = "eyJhIjoxfQ.ZKhJkA";
/// let cookie = format!("{msg}.{}", encode_signature(&sign(&Scheme::flask_session(), b"k7", msg.as_bytes())));
/// let phases = vec![
///     Phase::from_source("list", IterSource::new(["dev", "admin"])),
///     Phase::from_source("mask ?l?d", IndexedSource::new(vec![Mask::parse("?l?d", &[]).unwrap()])),
///     Phase::from_source("never needed", IterSource::new(["x"])),
/// ];
/// let report = run_plan(&[Target::flask_session(&cookie).unwrap()], phases, &CrackOptions::default(), None, &Progress::new(), |_| {}).unwrap();
/// assert_eq!(report.found[0].as_ref().map(|(phase, f)| (*phase, f.secret.clone())), Some((1, b"k7".to_vec())));
/// assert_eq!(report.phases[2].status, PhaseStatus::NotNeeded);
/// ```
pub fn run_plan(
    targets: &[Target],
    phases: Vec<Phase>,
    options: &CrackOptions,
    time_limit: Option<Duration>,
    progress: &Progress,
    mut on_phase: impl FnMut(&PhaseReport),
) -> Result<PlanReport, CrackError> {
    if targets.is_empty() {
        return Err(CrackError::NoTarget);
    }
    let deadline = time_limit.map(|t| Instant::now() + t);
    let mut found: Vec<Option<(usize, Found)>> = vec![None; targets.len()];
    let mut reports = Vec::new();
    let mut timed_out = false;
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| -> Result<(), CrackError> {
        if let Some(deadline) = deadline {
            let finished = &finished;
            scope.spawn(move || {
                while !finished.load(std::sync::atomic::Ordering::Relaxed) {
                    let now = Instant::now();
                    if now >= deadline {
                        progress.cancel();
                        return;
                    }
                    std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
                }
            });
        }
        let result = (|| {
            for (phase_index, phase) in phases.into_iter().enumerate() {
                let remaining: Vec<usize> =
                    (0..targets.len()).filter(|&t| found[t].is_none()).collect();
                let mut report = PhaseReport {
                    name: phase.name,
                    size: phase.size,
                    tried: 0,
                    status: PhaseStatus::NotNeeded,
                    seconds: 0.0,
                    found: Vec::new(),
                };
                if remaining.is_empty() {
                    reports.push(report);
                    continue;
                }
                if progress.is_cancelled() {
                    timed_out = true;
                    report.status = PhaseStatus::NotStarted;
                    on_phase(&report);
                    reports.push(report);
                    continue;
                }
                let start = Instant::now();
                let subset: Vec<Target> = remaining.iter().map(|&t| targets[t].clone()).collect();
                let source = (phase.source)()?;
                let result = crack(&subset, source, options, progress)?;
                report.seconds = start.elapsed().as_secs_f64();
                report.tried = result.attempts();
                report.status = if result.cancelled {
                    timed_out = true;
                    PhaseStatus::Stopped
                } else {
                    PhaseStatus::Complete
                };
                for (k, outcome) in result.outcomes.into_iter().enumerate() {
                    if let TargetOutcome::Found(hit) = outcome {
                        found[remaining[k]] = Some((phase_index, hit));
                        report.found.push(remaining[k]);
                    }
                }
                on_phase(&report);
                reports.push(report);
            }
            Ok(())
        })();
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    })?;
    Ok(PlanReport {
        phases: reports,
        found,
        timed_out,
    })
}
