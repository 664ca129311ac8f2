//! `nuri serve` (live preview) and `nuri build --watch`.
//!
//! One thread watches the sources and, after each burst of changes, asks the engine for a
//! new snapshot (see [`session`]); a small tokio runtime serves it, rendering each page when
//! a browser first asks (see [`site`], [`http`]); a third thread keeps the search index up
//! to date behind the pages. The output folder is never touched by `serve`, so a preview
//! can run beside a real build.

mod conn;
pub mod http;
pub mod session;
pub mod site;
pub mod watch;

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Error, Result};
use crate::model::BuildOptions;
use crate::pipeline::{BuildPlan, BuildRequest, Change, Snapshot, load_config};
use http::{Event, Live};
use session::{SearchIndex, Session};
use site::Served;
use watch::SourceWatcher;

/// How `nuri serve` was asked to run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub options: BuildOptions,
    /// The build cache to start from (default: `.nuri-cache` in the site).
    pub cache_dir: Option<PathBuf>,
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

fn report_problem(live: &Live, problems: &crate::error::Diagnostics) {
    let text = problems.to_string();
    eprintln!("{text}");
    eprintln!(
        "error: {} problem(s); still serving the last good version",
        problems.errors().count().max(1)
    );
    if let Ok(mut e) = live.error.write() {
        *e = Some(text.clone());
    }
    live.notify(Event::Problem(text));
}

/// Makes `snap` the served site, unless a page in view does not render. Tells each open
/// page whether it changed. Returns whether it was published.
fn publish(live: &Live, snap: Arc<Snapshot>) -> bool {
    let old = live.served();
    let generation = old.as_ref().map_or(0, |o| o.generation) + 1;
    let served = Arc::new(Served::new(snap, generation));
    let open = live.open_pages();
    let mut probe: Vec<String> = vec!["index.html".into(), "404.html".into()];
    probe.extend(open.iter().cloned());
    if let Err(d) = served.try_render(&probe) {
        report_problem(live, &d.into());
        return false;
    }
    let changed: HashSet<String> = open
        .into_iter()
        .filter(|p| {
            old.as_ref()
                .is_none_or(|o| o.fingerprint(p) != served.fingerprint(p))
        })
        .collect();
    if let Ok(mut s) = live.site.write() {
        *s = Some(served);
    }
    if let Ok(mut e) = live.error.write() {
        *e = None;
    }
    live.notify(Event::Reload(generation, Some(Arc::new(changed))));
    true
}

/// One rebuild, reported in one line. Returns the new snapshot for the search index.
fn rebuild(
    session: &mut Session,
    live: &Live,
    changes: &BTreeSet<Change>,
) -> Option<Arc<Snapshot>> {
    let started = Instant::now();
    let mut phases = crate::pipeline::Phases::new();
    match session.rebuild(changes) {
        Ok((snap, read)) => {
            phases.mark("rebuild");
            let snap = Arc::new(snap);
            let published = publish(live, snap.clone());
            phases.mark("publish");
            if published {
                println!(
                    "[{}] {} → {read} file{} read, rebuilt in {} ms",
                    clock(),
                    describe(changes),
                    if read == 1 { "" } else { "s" },
                    started.elapsed().as_millis()
                );
                let _ = std::io::stdout().flush();
                return Some(snap);
            }
            None
        }
        Err(problems) => {
            report_problem(live, &problems);
            None
        }
    }
}

/// Keeps the search index up to date with the served snapshots, one after another
/// (a newer snapshot waiting makes an older one skipped).
fn index_in_background(live: Arc<Live>) -> std::sync::mpsc::Sender<Arc<Snapshot>> {
    let (tx, rx) = std::sync::mpsc::channel::<Arc<Snapshot>>();
    std::thread::spawn(move || {
        // A thread pool of its own: on the shared one, a long index update would make the
        // next save's model (which uses the shared pool) wait for it.
        // Its threads run at a lower priority: a save's rebuild comes first, the index (the
        // whole of it once at start-up, then a few milliseconds per save) after it.
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("nuri-search-{i}"))
            .start_handler(|_| lower_priority())
            .build()
            .ok();
        let mut index = SearchIndex::default();
        while let Ok(mut snap) = rx.recv() {
            while let Ok(newer) = rx.try_recv() {
                snap = newer;
            }
            let generation = live.served().map_or(0, |s| s.generation);
            let mut phases = crate::pipeline::Phases::new();
            match &pool {
                Some(pool) => pool.install(|| index.update(&snap)),
                None => index.update(&snap),
            };
            phases.mark("search index");
            if let Ok(mut s) = live.search.write() {
                *s = Arc::new(index.files.clone());
            }
            live.indexed.store(generation, Ordering::SeqCst);
            live.notify(Event::Indexed(generation));
        }
    });
    tx
}

/// Lowers the calling thread's scheduling priority (Linux: a thread's nice value).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's id changes only that thread's nice value.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// What the build cache knows of the site's content, when it was made for this site.
fn known(request: &BuildRequest, cache_dir: Option<PathBuf>) -> crate::pipeline::library::Known {
    let Ok(config) = load_config(request) else {
        return Default::default();
    };
    let dir =
        cache_dir.unwrap_or_else(|| config.paths.root.join(crate::pipeline::cache::DEFAULT_DIR));
    let cache =
        crate::pipeline::cache::Cache::new(dir, crate::pipeline::engine::cache_key(&config));
    cache.load().0.records
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
        photos: opts.cache_dir.as_ref().map(|d| d.join("photos")),
        check: false,
    };
    let output = load_config(&request)
        .map(|c| c.paths.output)
        .unwrap_or_else(|_| opts.root.join("public"));
    let live = Arc::new(Live::new(Some(crate::sources::SiteRoot::new(&opts.root))));
    // Watch before the first build reads anything: a file saved while it runs must cause a
    // rebuild, not be lost until the next save.
    let mut watcher = SourceWatcher::new(&opts.root, &output)
        .map_err(|e| Error::usage(&opts.root, format!("cannot watch the site: {e}")))?;

    let started = Instant::now();
    let mut session = Session::new(request.clone(), known(&request, opts.cache_dir.clone()));
    let indexer = index_in_background(live.clone());
    if let Some(snap) = rebuild(&mut session, &live, &BTreeSet::new()) {
        println!(
            "ready: {} articles in {} ms",
            snap.site.entries.len(),
            started.elapsed().as_millis()
        );
        let _ = indexer.send(snap);
    }
    let app = http::router(live.clone());
    runtime.spawn(async move {
        conn::serve(listener, app).await;
    });
    println!(
        "serving {} at {url} (Ctrl+C to stop)",
        session.title().unwrap_or_else(|| "the site".into())
    );
    let _ = std::io::stdout().flush();
    if opts.open {
        open_browser(&url);
    }

    while let Some(changes) = watcher.next_changes(QUIET, BURST) {
        if let Some(snap) = rebuild(&mut session, &live, &changes) {
            let _ = indexer.send(snap);
        }
    }
    Ok(())
}

/// `nuri build --watch`: a build to disk now and after every change.
pub fn watch_build(plan: BuildPlan, mut report: impl FnMut(Result<crate::Report>)) -> Result<()> {
    let output = load_config(&plan.request)
        .map(|c| c.paths.output)
        .unwrap_or_else(|_| plan.request.root.join("public"));
    let mut watcher = SourceWatcher::new(&plan.request.root, &output)
        .map_err(|e| Error::usage(&plan.request.root, format!("cannot watch the site: {e}")))?;
    report(crate::build(&plan));
    while let Some(changes) = watcher.next_changes(QUIET, BURST) {
        println!("[{}] {} changed", clock(), describe(&changes));
        report(crate::build(&plan));
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
