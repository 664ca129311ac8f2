//! `nuri serve` (live preview) and `nuri build --watch`.
//!
//! One thread watches the sources and rebuilds (see [`session`]); a small tokio runtime
//! serves the site from memory (see [`http`]). The output folder is never touched by
//! `serve`, so a preview can run beside a real build.

mod conn;
pub mod http;
pub mod session;
pub mod watch;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Error, Result};
use crate::model::BuildOptions;
use crate::{BuildRequest, load_config};
use http::{Event, Live};
use session::{Session, Update};
use watch::{Change, SourceWatcher};

/// How `nuri serve` was asked to run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub options: BuildOptions,
}

/// Quiet time that ends a burst of file events, and the longest a burst may last.
const QUIET: Duration = Duration::from_millis(15);
const BURST: Duration = Duration::from_millis(250);

fn describe(changes: &BTreeSet<Change>) -> String {
    let mut names: Vec<String> = changes
        .iter()
        .map(|c| match c {
            Change::Config => "config.toml".into(),
            Change::Templates => "templates".into(),
            Change::Static => "static files".into(),
            Change::Content(rel) if rel.is_empty() => "content/".into(),
            Change::Content(rel) => format!("content/{rel}"),
        })
        .collect();
    if names.len() > 3 {
        let more = names.len() - 3;
        names.truncate(3);
        names.push(format!("{more} more"));
    }
    names.join(", ")
}

fn clock() -> String {
    let now = jiff::Zoned::now();
    format!("{:02}:{:02}:{:02}", now.hour(), now.minute(), now.second())
}

/// Applies an update to the served site and tells the browsers.
fn publish(live: &Live, update: Update) -> u64 {
    let generation = {
        let mut store = live.store.write().expect("store");
        if let Some(all) = update.all {
            store.files = all;
        }
        for (path, bytes) in update.changed {
            store.files.insert(path, bytes);
        }
        store.statics = update.statics;
        store.error = None;
        store.generation += 1;
        store.generation
    };
    live.notify(Event::Reload(generation));
    generation
}

fn report_problem(live: &Live, problems: &crate::error::Diagnostics) {
    let text = problems.to_string();
    eprintln!("{text}");
    eprintln!(
        "error: {} problem(s); still serving the last good version",
        problems.errors().count().max(1)
    );
    live.store.write().expect("store").error = Some(text.clone());
    live.notify(Event::Problem(text));
}

/// One rebuild, reported in one line.
fn rebuild(session: &mut Session, live: &Live, changes: &BTreeSet<Change>) {
    let started = Instant::now();
    match session.rebuild(changes) {
        Ok(update) => {
            let (kind, pages, search) = (update.kind, update.pages, update.search_stale);
            let generation = publish(live, update);
            println!(
                "[{}] {} → {kind} rebuild, {pages} pages rendered in {} ms",
                clock(),
                describe(changes),
                started.elapsed().as_millis()
            );
            let _ = std::io::stdout().flush();
            if search {
                let index = session.search_update();
                {
                    let mut store = live.store.write().expect("store");
                    for (path, bytes) in index {
                        if bytes.as_slice() == b"{}" {
                            store.files.remove(&path);
                        } else {
                            store.files.insert(path, bytes);
                        }
                    }
                }
                live.notify(Event::Indexed(generation));
            }
        }
        Err(problems) => report_problem(live, &problems),
    }
}

/// Serves the site with live reload until the process is stopped.
pub fn serve(opts: ServeOptions) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::usage(&opts.root, format!("cannot start the server: {e}")))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind((
            opts.bind.as_str(),
            opts.port,
        )))
        .map_err(|e| {
            Error::usage(
                std::path::Path::new(&format!("{}:{}", opts.bind, opts.port)),
                format!("cannot listen: {e}"),
            )
        })?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| Error::usage(&opts.root, e.to_string()))?;
    let url = format!("http://{addr}/");
    let request = BuildRequest {
        root: opts.root.clone(),
        output: None,
        base_url: Some(url.clone()),
        options: opts.options.clone(),
    };
    let output = load_config(&request)
        .map(|c| c.paths.output)
        .unwrap_or_else(|_| opts.root.join("public"));
    let mut session = Session::new(request);
    let live = Arc::new(Live::new());
    live.store.write().expect("store").site = Some(crate::sources::SiteRoot::new(&opts.root));
    // Watch before the first build reads anything: a file saved while it runs must cause a
    // rebuild, not be lost until the next save.
    let mut watcher = SourceWatcher::new(&opts.root, &output)
        .map_err(|e| Error::usage(&opts.root, format!("cannot watch the site: {e}")))?;

    let started = Instant::now();
    match session.full() {
        Ok(update) => {
            let pages = update.pages;
            publish(&live, update);
            println!(
                "built {pages} pages in {} ms",
                started.elapsed().as_millis()
            );
        }
        Err(problems) => report_problem(&live, &problems),
    }
    let app = http::router(live.clone());
    runtime.spawn(async move {
        conn::serve(listener, app).await;
    });
    println!(
        "serving {} at {url} (Ctrl+C to stop)",
        session.title().unwrap_or("the site")
    );
    let _ = std::io::stdout().flush();
    if opts.open {
        open_browser(&url);
    }

    while let Some(changes) = watcher.next_changes(QUIET, BURST) {
        rebuild(&mut session, &live, &changes);
    }
    Ok(())
}

/// `nuri build --watch`: a full build to disk now and after every change.
pub fn watch_build(
    request: BuildRequest,
    mut report: impl FnMut(Result<crate::Report>),
) -> Result<()> {
    let output = load_config(&request)
        .map(|c| c.paths.output)
        .unwrap_or_else(|_| request.root.join("public"));
    let mut watcher = SourceWatcher::new(&request.root, &output)
        .map_err(|e| Error::usage(&request.root, format!("cannot watch the site: {e}")))?;
    report(crate::build(&request));
    while let Some(changes) = watcher.next_changes(QUIET, BURST) {
        println!("[{}] {} changed", clock(), describe(&changes));
        report(crate::build(&request));
    }
    Ok(())
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!(
            "{}",
            Diagnostic::warning(opener, format!("could not open a browser; visit {url}"))
        );
    }
}
