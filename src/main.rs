//! The `nuri` binary: parse the command line, call the library, print problems, set the
//! exit code.

mod cli;

// A faster allocator: a build makes millions of small template values and strings.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;
use cli::{BuildArgs, Cli, Command};
use nuri::error::{Error, Result};
use nuri::model::BuildOptions;

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    // Only a build publishes; for the other commands the sentence would be wrong.
    let publishes = matches!(cli.command, Command::Build(_));
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            let n = e.count();
            eprintln!(
                "error: {} problem{} found{}",
                n,
                if n == 1 { "" } else { "s" },
                if publishes {
                    "; nothing was published"
                } else {
                    ""
                }
            );
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build(args) => build(&cli.root, &args),
        Command::Check(args) => check(&cli.root, &args),
        Command::Serve(args) => nuri::serve::serve(nuri::serve::ServeOptions {
            root: cli.root.clone(),
            bind: args.bind,
            port: args.port,
            open: args.open,
            options: args.include.options(jiff::Timestamp::now()),
            cache_dir: args.cache_dir.clone(),
        }),
        Command::Ping(args) => ping(&cli.root, &args),
        Command::Init { dir } => {
            let dir = if dir.is_absolute() {
                dir
            } else {
                cli.root.join(dir)
            };
            let files = nuri::scaffold::init(&dir)?;
            println!(
                "created a new site in {} ({} files)",
                dir.display(),
                files.len()
            );
            println!("next: cd {} && nuri build", dir.display());
            Ok(())
        }
        Command::New { path, title } => {
            let config = nuri::config::Config::load(&cli.root)?;
            let file = nuri::scaffold::new_article(&config, &path, title.as_deref())?;
            println!(
                "created {} (a draft: set draft = false to publish)",
                file.display()
            );
            Ok(())
        }
    }
}

pub fn build_options(args: &BuildArgs) -> Result<BuildOptions> {
    let now = match &args.now {
        None => jiff::Timestamp::now(),
        Some(s) => s.parse::<jiff::Timestamp>().map_err(|e| {
            Error::usage(
                std::path::Path::new("--now"),
                format!("`{s}` is not an RFC 3339 time: {e}"),
            )
        })?,
    };
    let mut options = args.include.options(now);
    if args.preview {
        options.preview = true;
        options.drafts = true;
        options.future = true;
    }
    Ok(options)
}

fn check(root: &std::path::Path, args: &cli::CheckArgs) -> Result<()> {
    let request = nuri::BuildRequest {
        root: root.to_path_buf(),
        output: None,
        base_url: args.build.base_url.clone(),
        options: build_options(&args.build)?,
        photos: None,
        check: true,
    };
    let diags = nuri::check::check(&request);
    match args.format {
        cli::Format::Human => print!("{}", nuri::check::human(&diags)),
        cli::Format::Json => println!("{}", nuri::check::json(&diags)),
    }
    if diags.is_empty() {
        Ok(())
    } else {
        std::process::exit(1)
    }
}

fn build(root: &std::path::Path, args: &BuildArgs) -> Result<()> {
    // A preview never goes where the production site goes, nor shares its cache.
    // A preview shares the production site's photo files (they are the same photos).
    let photos = args.cache_dir.as_ref().map(|d| d.join("photos"));
    let (output, cache_dir) = if args.preview {
        (
            Some(args.output.clone().unwrap_or_else(|| root.join("preview"))),
            Some(args.cache_dir.clone().unwrap_or_else(|| {
                root.join(nuri::pipeline::cache::DEFAULT_DIR)
                    .join("preview")
            })),
        )
    } else {
        (args.output.clone(), args.cache_dir.clone())
    };
    let plan = nuri::BuildPlan {
        request: nuri::BuildRequest {
            root: root.to_path_buf(),
            output,
            base_url: args.base_url.clone(),
            options: build_options(args)?,
            photos: photos.or_else(|| {
                args.preview
                    .then(|| root.join(nuri::pipeline::cache::DEFAULT_DIR).join("photos"))
            }),
            check: false,
        },
        cache_dir,
        changes: args.changes.clone(),
    };
    if args.watch {
        return nuri::serve::watch_build(plan, |result| match result {
            Ok(report) => print_report(&report),
            Err(e) => eprintln!("{e}\nerror: the build failed; the previous site is unchanged"),
        });
    }
    let report = nuri::build(&plan)?;
    print_report(&report);
    Ok(())
}

fn ping(root: &std::path::Path, args: &cli::PingArgs) -> Result<()> {
    let config = nuri::config::Config::load(root)?;
    let Some(ix) = config.indexnow.clone() else {
        return Err(Error::usage(
            &config.paths.config_file,
            "indexnow_key is not set: add indexnow_key = \"…\" (8 to 128 letters, digits and hyphens) and build, so the key file is published",
        ));
    };
    let mut config = config;
    let changes =
        nuri::ping::read_changes(&config, args.changes.as_deref(), args.cache_dir.as_deref())?;
    // The site's address as the build had it (`--base-url` may have replaced config's), so
    // the host and key location match the URLs.
    if let Some(url) = changes.get("base_url").and_then(|u| u.as_str()) {
        config.base_url = nuri::config::BaseUrl::parse(url)
            .map_err(|e| Error::usage(std::path::Path::new("changes"), format!("base_url: {e}")))?;
    }
    let urls = nuri::ping::page_urls(&changes)?;
    // IndexNow asks for changed URLs, not a whole site on every run.
    if changes.get("baseline").and_then(|b| b.as_bool()) == Some(false) && !args.all {
        println!(
            "not sent: the last build had no earlier build to compare with (no build cache and no live site), so all {} of its pages count as new; run `nuri ping --all` to submit them anyway",
            urls.len()
        );
        return Ok(());
    }
    // Most of the site changed at once: a new theme or config, not news. Engines ask for
    // changed content only; the sitemap tells them about the rest.
    let pages = changes.get("pages").and_then(|p| p.as_u64()).unwrap_or(0) as usize;
    if !args.all && urls.len() > 100 && urls.len() * 2 > pages {
        println!(
            "not sent: {} of the site's {pages} pages changed at once (a theme or config change, not news); run `nuri ping --all` to submit them anyway",
            urls.len()
        );
        return Ok(());
    }
    if urls.is_empty() {
        println!("nothing to tell: the last build added, changed or removed no page");
        return Ok(());
    }
    let submission = nuri::ping::Submission::new(&config, &ix, urls);
    if args.dry_run {
        for endpoint in &ix.endpoints {
            for (n, body) in submission.bodies() {
                println!(
                    "POST {endpoint} ({n} URLs)\nContent-Type: application/json; charset=utf-8\n\n{body}\n"
                );
            }
        }
        return Ok(());
    }
    let answers = nuri::ping::send(
        &submission,
        &ix.endpoints,
        std::time::Duration::from_millis(args.pause_ms),
    );
    let mut failed = 0;
    for a in &answers {
        let status = a.status.map_or("-".to_string(), |s| s.to_string());
        let tries = if a.tries > 1 {
            format!(" after {} tries", a.tries)
        } else {
            String::new()
        };
        println!(
            "{}: {status} {} ({} URLs){tries}",
            a.endpoint, a.message, a.urls
        );
        if !a.ok() {
            failed += 1;
        }
    }
    if failed > 0 {
        return Err(Error::usage(
            std::path::Path::new("ping"),
            format!("{failed} of {} requests were not accepted", answers.len()),
        ));
    }
    Ok(())
}

/// Asks Linux not to back this process's memory with transparent huge pages. Where they are
/// on for every program, each first touch of a 2 MiB region makes the kernel zero all of it:
/// with the allocator's arenas spread over many regions, that was 30 % of a one-article
/// build's CPU. Measured at 10,000 articles: a cold build 3.09 → 2.83 s and 210 → 164 MiB,
/// a one-article edit 1.05 → 0.82 s (medians).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process's memory map.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn print_report(report: &nuri::Report) {
    if let Some(why) = &report.notice {
        eprintln!("notice: {why}; building without it");
    }
    for w in report.warnings.warnings() {
        eprintln!("{w}");
    }
    let size = format!("{:.1} MB", report.bytes as f64 / 1_000_000.0);
    if report.unchanged {
        println!(
            "nothing changed: {} articles, {} files ({size}) in {} ({} ms)",
            report.articles,
            report.files,
            report.output.display(),
            report.elapsed.as_millis()
        );
        return;
    }
    println!(
        "built {} articles: {} files ({size}; {} rendered, {} from the cache) in {} ({} ms)",
        report.articles,
        report.files,
        report.rendered,
        report.files - report.rendered,
        report.output.display(),
        report.elapsed.as_millis()
    );
}
