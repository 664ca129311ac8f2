//! A time limit for each page's template, so a template that loops (a nested
//! `range(end=100000)`) ends in an error naming its line instead of running until killed,
//! and `nuri serve` recovers once it is fixed.
//!
//! Tera has no step limit, and a thread cannot be stopped from outside. Loops that could run
//! for ever need numbers from somewhere, and in Tera only `range` makes them; nuri replaces
//! `range` with one that first checks the time left for the page being rendered on this
//! thread. The deadlines belong to the template set, one per rendering thread.

use std::collections::HashMap;
use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use tera::{Kwargs, State, TeraResult};

/// The most items one `range` call may make (as Tera's own).
const MAX_RANGE_LEN: i128 = 100_000;

#[derive(Debug)]
pub struct Budget {
    limit: Duration,
    deadlines: Mutex<HashMap<ThreadId, Instant>>,
}

/// While alive, the current thread renders under a deadline.
pub struct Running<'a>(&'a Budget);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Ok(mut d) = self.0.deadlines.lock() {
            d.remove(&std::thread::current().id());
        }
    }
}

impl Budget {
    pub fn new(limit: Duration) -> Budget {
        Budget {
            limit,
            deadlines: Mutex::new(HashMap::new()),
        }
    }

    /// Starts the clock for one page on this thread.
    pub fn start(&self) -> Running<'_> {
        if let Ok(mut d) = self.deadlines.lock() {
            d.insert(std::thread::current().id(), Instant::now() + self.limit);
        }
        Running(self)
    }

    fn check(&self) -> TeraResult<()> {
        let over = self.deadlines.lock().ok().and_then(|d| {
            d.get(&std::thread::current().id())
                .map(|deadline| Instant::now() > *deadline)
        });
        if over == Some(true) {
            return Err(tera::Error::message(format!(
                "the page took longer than {} s to render (a loop that does not end?); the limit is [limits] render_seconds in config.toml",
                self.limit.as_secs()
            )));
        }
        Ok(())
    }

    /// Tera's `range(start, end, step_by)`, after checking the clock.
    pub fn range(&self, kwargs: Kwargs, _: &State) -> TeraResult<Vec<i128>> {
        self.check()?;
        let start = kwargs.get::<i128>("start")?.unwrap_or_default();
        let end = kwargs.must_get::<i128>("end")?;
        let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
        if step == 0 {
            return Err(tera::Error::message("`range` was called with step_by = 0"));
        }
        let len = if step > 0 {
            (end.saturating_sub(start).max(0) + step - 1) / step
        } else {
            (start.saturating_sub(end).max(0) + (-step) - 1) / (-step)
        };
        if len > MAX_RANGE_LEN {
            return Err(tera::Error::message(format!(
                "`range` would make {len} numbers; the limit is {MAX_RANGE_LEN}"
            )));
        }
        Ok((0..len).map(|i| start + i * step).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_loop_that_does_not_end_is_stopped() {
        let budget = Arc::new(Budget::new(Duration::from_millis(200)));
        let mut tera = tera::Tera::default();
        let b = budget.clone();
        tera.register_function("range", move |k: Kwargs, s: &State| b.range(k, s));
        tera.add_raw_template(
            "loop.html",
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
        )
        .unwrap();
        tera.add_raw_template(
            "ok.html",
            "{% for i in range(start=1, end=4) %}{{ i }}{% endfor %}",
        )
        .unwrap();
        let started = Instant::now();
        let err = {
            let _clock = budget.start();
            tera.render("loop.html", &tera::Context::new()).unwrap_err()
        };
        assert!(started.elapsed() < Duration::from_secs(20));
        let mut text = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            text.push_str(&s.to_string());
            source = s.source();
        }
        assert!(text.contains("render_seconds"), "{text}");
        let _clock = budget.start();
        assert_eq!(
            tera.render("ok.html", &tera::Context::new()).unwrap(),
            "123"
        );
    }
}
