//! A `kaq rbac` run: what each worker does with an event ([`Job`], a
//! [`Work`]) and what the main thread makes of the requests ([`RbacSink`], a
//! [`Print`]): the RBAC YAML, or the usage view.

use std::io::{self, Write};

use super::authz::{Grant, Identity, Rbac};
use super::collect::{self, Requests, Subject, Tally};
use super::generate::{self, BindTo, Expand, Naming};
use super::report;
use super::request::Request;
use crate::event::Event;
use crate::work::{Found, Origin, Print, RunInfo, Work};

/// What a `kaq rbac` run does.
#[derive(Debug)]
pub struct Job {
    pub subject: Subject,
    /// `--existing`: the dump's name and what it holds.
    pub existing: Option<(String, Rbac)>,
    /// Grant the denied (and undecided) requests too.
    pub include_denied: bool,
    pub expand: Expand,
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    /// `--usage`: the usage view instead of YAML.
    pub usage: bool,
    /// The usage view as JSON.
    pub json: bool,
    pub quiet: bool,
}

/// Collecting the subject's requests is a kind of work; a part counts one
/// record per event of the subject.
impl Work for Job {
    type Part = Requests;

    fn take(&self, e: &Event<'_>, _: Found, part: &mut Requests) -> u64 {
        u64::from(collect::take(&self.subject, e, part))
    }

    fn weight(part: &Requests) -> usize {
        part.len() * 48
    }
}

impl Job {
    /// How many of a key's requests the role must grant.
    pub fn counted(&self, t: &Tally) -> u64 {
        t.allowed
            + if self.include_denied {
                t.denied + t.undecided
            } else {
                0
            }
    }

    fn identity(&self, groups: &std::collections::BTreeSet<String>) -> Identity {
        match &self.subject {
            Subject::User(u) => Identity::user(u, groups.iter().cloned()),
            Subject::Group(g) => Identity::group(g),
        }
    }

    fn naming(&self) -> Naming {
        let subject = match &self.subject {
            Subject::User(u) => match u
                .strip_prefix("system:serviceaccount:")
                .and_then(|r| r.split_once(':'))
            {
                Some((ns, name)) => BindTo::ServiceAccount {
                    namespace: ns.to_string(),
                    name: name.to_string(),
                },
                None => BindTo::User(u.clone()),
            },
            Subject::Group(g) => BindTo::Group(g.clone()),
        };
        Naming {
            name: self.name.clone(),
            labels: self.labels.clone(),
            annotations: self.annotations.clone(),
            subject,
        }
    }
}

/// The run's requests, once merged: each key's tally, the bindings of the
/// dump that apply to the subject, and which requests they already allow.
pub struct Findings<'j> {
    pub job: &'j Job,
    /// In request order for the usage view; in no order for the YAML.
    pub tallies: Vec<(&'j Request, Tally)>,
    pub grants: Vec<Grant>,
}

impl Findings<'_> {
    /// The requests to grant, with how many times each was made.
    pub fn granted(&self) -> impl Iterator<Item = (&Request, &Tally)> {
        self.tallies
            .iter()
            .filter(|(_, t)| self.job.counted(t) > 0)
            .map(|(r, t)| (*r, t))
    }

    /// Whether the dump already allows `r`.
    pub fn covered(&self, r: &Request) -> bool {
        self.grants.iter().any(|g| g.allows(r))
    }
}

/// Gathers the chunks' requests; prints at the end.
pub struct RbacSink<'w> {
    job: &'w Job,
    total: Requests,
    width: Option<u16>,
    out: Box<dyn Write + 'w>,
    /// Why nothing was printed, when there was nothing to grant.
    refusal: Option<String>,
}

impl<'w> RbacSink<'w> {
    pub fn new(job: &'w Job, width: Option<u16>, out: Box<dyn Write + 'w>) -> Self {
        RbacSink {
            job,
            total: Requests::default(),
            width,
            out,
            refusal: None,
        }
    }

    /// Set when the subject made no request (or, for the YAML, none that
    /// was allowed): the run exits 1 with this message.
    pub fn refusal(&self) -> Option<&str> {
        self.refusal.as_deref()
    }

    fn note(&self, text: &str) {
        if !self.job.quiet {
            eprintln!("kaq: note: {text}");
        }
    }
}

impl Print for RbacSink<'_> {
    type Part = Requests;

    fn write(&mut self, part: Requests, _: Origin, _take: usize) -> io::Result<()> {
        self.total.merge(part);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self, _info: &RunInfo) -> io::Result<()> {
        let job = self.job;
        let tallies = self.total.tallies();
        if tallies.is_empty() {
            self.refusal = Some(format!(
                "{} made no request in the events read",
                job.subject.describe()
            ));
            return self.out.flush();
        }
        let grants = match &job.existing {
            Some((_, rbac)) => rbac.grants(&job.identity(&self.total.groups)),
            None => Vec::new(),
        };
        let mut found = Findings {
            job,
            tallies,
            grants,
        };
        if job.usage {
            found.tallies.sort_unstable_by(|a, b| a.0.cmp(b.0));
            report::write(&found, job.json, self.width, &mut self.out)?;
            return self.out.flush();
        }
        let sum = |f: fn(&Tally) -> u64| found.tallies.iter().map(|(_, t)| f(t)).sum::<u64>();
        let (denied, undecided) = (sum(|t| t.denied), sum(|t| t.undecided));
        if !job.include_denied && denied + undecided > 0 {
            self.note(&format!(
                "{denied} denied and {undecided} undecided requests (seen only at RequestReceived, or throttled with 429 before authorization) are not granted; --include-denied grants them"
            ));
        }
        if found.granted().next().is_none() {
            self.refusal = Some(format!(
                "{} made {} requests and none was allowed: nothing to grant (--include-denied grants the denied ones)",
                job.subject.describe(),
                denied + undecided
            ));
            return self.out.flush();
        }
        if job.existing.is_some() && !job.quiet {
            // The least-privilege diff beside the YAML: which of the rules
            // the subject holds were used, on stderr so that stdout stays
            // ready for kubectl apply.
            self.out.flush()?;
            let mut err = io::stderr().lock();
            report::write_bindings(&found, self.width, &mut err)?;
        }
        let (missing, inexact): (Vec<&Request>, Vec<&Request>) = found
            .granted()
            .map(|(r, _)| r)
            .filter(|r| !found.covered(r))
            .partition(|r| generate::expressible(r));
        if !inexact.is_empty() {
            let mut shown: Vec<String> = inexact.iter().map(|r| r.to_string()).collect();
            shown.sort_unstable();
            self.note(&format!(
                "not granted (RBAC would read the * as a wildcard: no rule grants the request alone): {}",
                crate::output::columns::sanitize(shown.join("; "))
            ));
            if missing.is_empty() {
                self.refusal = Some(format!(
                    "{}: nothing kaq can grant exactly",
                    job.subject.describe()
                ));
                return self.out.flush();
            }
        }
        if missing.is_empty() {
            // Only with --existing: without it nothing is covered.
            let name = job.existing.as_ref().map_or("", |(n, _)| n.as_str());
            writeln!(
                self.out,
                "# kaq: nothing to add: {} already allows every request",
                generate::quote(name)
            )?;
            return self.out.flush();
        }
        let roles = generate::roles(missing, job.expand);
        self.out
            .write_all(generate::yaml(&roles, &job.naming()).as_bytes())?;
        self.out.flush()
    }
}
