//! The invariant of the one engine (issue 12): after any sequence of changes, what an
//! incremental rebuild publishes is byte for byte what a cold build of the same sources
//! publishes. Random sequences of newsroom edits (create, edit title, date, tags, body or
//! draft, delete, rename, move to another section, a section's `_index.md`, a reporter's
//! profile, a template, a static file) are applied to a fixture site; after each step the
//! site is built three ways and compared file by file:
//! - `nuri build` with the build cache kept from the previous step,
//! - the `nuri serve` engine, told only which paths changed, rendering every file,
//! - a cold build (no cache, empty output folder).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{SiteTest, list_files};
use nuri::pipeline::{BuildPlan, BuildRequest, Change};
use nuri::serve::session::{SearchIndex, Session};
use nuri::serve::site::{Found, Served};
use proptest::prelude::*;

const CONFIG: &str = "title = \"증분 시험\"\nbase_url = \"https://inc.example/\"\npermalink = \"/{section}/{year}/{slug}/\"\npaginate_by = 2\nrelated = 2\n[taxonomies.series]\ntitle = \"연재\"\n";
const SECTIONS: [&str; 3] = ["politics", "economy", "world"];
const TAGS: [&str; 5] = ["동맹", "AI", "정책", "반도체", "오픈소스"];

/// One edit a newsroom makes.
#[derive(Debug, Clone)]
enum Op {
    Create {
        section: usize,
        tags: Vec<usize>,
        day: u8,
        link: bool,
    },
    Title(usize, u8),
    Date(usize, u8),
    Tags(usize, Vec<usize>),
    Body(usize, u8),
    Draft(usize),
    /// A new `slug`: the URL changes, links to the article stay valid.
    Slug(usize, u8),
    Delete(usize),
    Rename(usize),
    Move(usize, usize),
    SectionIndex(usize, u8),
    Profile(u8),
    Template(u8),
    Static(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let tags = prop::collection::vec(0..TAGS.len(), 0..3);
    prop_oneof![
        3 => (0..SECTIONS.len(), tags.clone(), 1u8..28, any::<bool>())
            .prop_map(|(section, tags, day, link)| Op::Create { section, tags, day, link }),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(k, n)| Op::Title(k, n)),
        2 => (any::<usize>(), 1u8..28).prop_map(|(k, d)| Op::Date(k, d)),
        2 => (any::<usize>(), tags).prop_map(|(k, t)| Op::Tags(k, t)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(k, n)| Op::Body(k, n)),
        1 => any::<usize>().prop_map(Op::Draft),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(k, n)| Op::Slug(k, n)),
        1 => any::<usize>().prop_map(Op::Delete),
        1 => any::<usize>().prop_map(Op::Rename),
        1 => (any::<usize>(), 0..SECTIONS.len()).prop_map(|(k, s)| Op::Move(k, s)),
        1 => (0..SECTIONS.len(), any::<u8>()).prop_map(|(s, n)| Op::SectionIndex(s, n)),
        1 => any::<u8>().prop_map(Op::Profile),
        1 => any::<u8>().prop_map(Op::Template),
        1 => any::<u8>().prop_map(Op::Static),
    ]
}

/// An article as the test keeps it.
#[derive(Debug, Clone)]
struct Doc {
    rel: String,
    title: String,
    day: u8,
    tags: Vec<usize>,
    body: String,
    draft: bool,
    slug: Option<String>,
}

impl Doc {
    fn text(&self) -> String {
        let tags: Vec<String> = self
            .tags
            .iter()
            .map(|&t| format!("\"{}\"", TAGS[t]))
            .collect();
        format!(
            "+++\ntitle = \"{}\"\ndate = 2024-03-{:02}T09:00:00+09:00\ntags = [{}]\nauthors = [\"김하늘\"]\ndraft = {}\n{}taxonomies = {{ series = [\"연재\"] }}\n+++\n{}\n",
            self.title,
            self.day,
            tags.join(", "),
            self.draft,
            self.slug
                .as_ref()
                .map_or(String::new(), |s| format!("slug = \"{s}\"\n")),
            self.body
        )
    }
}

struct World {
    site: SiteTest,
    docs: Vec<Doc>,
    next: usize,
}

impl World {
    fn new() -> World {
        let site = SiteTest::empty();
        site.write("config.toml", CONFIG);
        site.write(
            "content/authors/김하늘.md",
            "+++\ntitle = \"기자\"\n+++\n정책을 취재합니다.\n",
        );
        site.write("static/note.txt", "공지");
        let mut w = World {
            site,
            docs: Vec::new(),
            next: 0,
        };
        for (i, day) in [3u8, 5, 5, 9].into_iter().enumerate() {
            // The last one links to the first (its URL, and its heading `#배경`).
            // (in another section than the first, so no other view of it shows the first's URL).
            let section = if i == 3 { 1 } else { i % SECTIONS.len() };
            w.create(
                section,
                vec![i % TAGS.len(), (i + 1) % TAGS.len()],
                day,
                i == 3,
            );
        }
        w
    }

    fn write(&self, doc: &Doc) {
        self.site
            .write(&format!("content/{}", doc.rel), &doc.text());
    }

    fn create(&mut self, section: usize, tags: Vec<usize>, day: u8, link: bool) -> Vec<Change> {
        let n = self.next;
        self.next += 1;
        let body = match self.docs.first() {
            // In the second paragraph: only the body shows it, not the summary.
            Some(first) if link => format!(
                "기사 {n}의 첫 문단.\n\n둘째 문단에서 [앞 기사](@/{}#배경)를 본다.\n\n## 배경\n\n셋째 문단.",
                first.rel
            ),
            _ => format!("기사 {n}의 첫 문단.\n\n## 배경\n\n둘째 문단."),
        };
        let doc = Doc {
            rel: format!("{}/2024/기사-{n}.md", SECTIONS[section]),
            title: format!("기사 {n}"),
            day,
            tags,
            body,
            draft: false,
            slug: None,
        };
        self.write(&doc);
        let change = Change::Content(doc.rel.clone());
        self.docs.push(doc);
        vec![change]
    }

    /// Applies an edit; returns the changes the file watcher would report.
    fn apply(&mut self, op: &Op) -> Vec<Change> {
        let pick = |k: usize, docs: &[Doc]| (!docs.is_empty()).then(|| k % docs.len());
        match op.clone() {
            Op::Create {
                section,
                tags,
                day,
                link,
            } => self.create(section, tags, day, link),
            Op::Title(k, n) => self.edit(pick(k, &self.docs), |d| {
                d.title = format!("{} {n}", d.title)
            }),
            Op::Date(k, day) => self.edit(pick(k, &self.docs), |d| d.day = day),
            Op::Tags(k, tags) => self.edit(pick(k, &self.docs), |d| d.tags = tags),
            Op::Body(k, n) => self.edit(pick(k, &self.docs), |d| {
                d.body.push_str(&format!("\n\n덧붙인 문단 {n}."))
            }),
            Op::Draft(k) => {
                // A draft that others link to would break their links.
                let Some(i) = pick(k, &self.docs) else {
                    return Vec::new();
                };
                let rel = self.docs[i].rel.clone();
                if self.docs.iter().any(|d| d.body.contains(&rel)) {
                    return Vec::new();
                }
                self.edit(Some(i), |d| d.draft = !d.draft)
            }
            Op::Slug(k, n) => self.edit(pick(k, &self.docs), |d| {
                d.slug = Some(format!("주소-{n}-{}", d.rel.len()))
            }),
            Op::Delete(k) => {
                let Some(i) = pick(k, &self.docs) else {
                    return Vec::new();
                };
                // Links to it would break the build: only unlinked articles are deleted.
                let rel = self.docs[i].rel.clone();
                if self.docs.iter().any(|d| d.body.contains(&rel)) {
                    return Vec::new();
                }
                self.site.remove(&format!("content/{rel}"));
                self.docs.remove(i);
                vec![Change::Content(rel)]
            }
            Op::Rename(k) | Op::Move(k, _) => {
                let Some(i) = pick(k, &self.docs) else {
                    return Vec::new();
                };
                let old = self.docs[i].rel.clone();
                if self.docs.iter().any(|d| d.body.contains(&old)) {
                    return Vec::new();
                }
                let section = match op {
                    Op::Move(_, s) => SECTIONS[*s].to_string(),
                    _ => old.split('/').next().unwrap().to_string(),
                };
                let n = self.next;
                self.next += 1;
                let new = format!("{section}/2024/기사-{n}.md");
                std::fs::create_dir_all(self.site.path(&format!("content/{section}/2024")))
                    .unwrap();
                std::fs::rename(
                    self.site.path(&format!("content/{old}")),
                    self.site.path(&format!("content/{new}")),
                )
                .unwrap();
                self.docs[i].rel = new.clone();
                vec![Change::Content(old), Change::Content(new)]
            }
            Op::SectionIndex(s, n) => {
                let rel = format!("{}/_index.md", SECTIONS[s]);
                self.site.write(
                    &format!("content/{rel}"),
                    &format!("+++\ntitle = \"섹션 {s} {n}\"\ndescription = \"설명 {n}\"\n+++\n섹션 소개 {n}.\n"),
                );
                vec![Change::Content(rel)]
            }
            Op::Profile(n) => {
                self.site.write(
                    "content/authors/김하늘.md",
                    &format!(
                        "+++\ntitle = \"기자 {n}\"\nemail = \"k{n}@inc.example\"\n+++\n소개 {n}.\n"
                    ),
                );
                vec![Change::Content("authors/김하늘.md".into())]
            }
            Op::Template(n) => {
                self.site.write(
                    "templates/404.html",
                    &format!("{{% extends \"base.html\" %}}{{% block content %}}<p>없는 페이지 {n}</p>{{% endblock content %}}"),
                );
                vec![Change::Templates]
            }
            Op::Static(n) => {
                self.site.write("static/note.txt", &format!("공지 {n}"));
                vec![Change::Static]
            }
        }
    }

    fn edit(&mut self, i: Option<usize>, f: impl FnOnce(&mut Doc)) -> Vec<Change> {
        let Some(i) = i else { return Vec::new() };
        f(&mut self.docs[i]);
        self.write(&self.docs[i]);
        vec![Change::Content(self.docs[i].rel.clone())]
    }
}

fn request(root: &Path, output: Option<PathBuf>) -> BuildRequest {
    BuildRequest {
        root: root.to_path_buf(),
        output,
        base_url: None,
        options: nuri::model::BuildOptions {
            now: "2024-03-20T00:00:00+09:00".parse().unwrap(),
            ..Default::default()
        },
        photos: None,
        check: false,
    }
}

/// Every file of a built site, with its bytes (nuri's bookkeeping left out).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    list_files(dir)
        .into_iter()
        .filter(|f| f != ".nuri-output" && f != ".nuri-manifest")
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn build(root: &Path, output: &Path, cache: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let plan = BuildPlan {
        request: request(root, Some(output.to_path_buf())),
        cache_dir: Some(cache.to_path_buf()),
        changes: None,
    };
    nuri::build(&plan)
        .map(|_| files(output))
        .map_err(|e| e.to_string())
}

/// Everything the serve engine would answer for the files of `want`.
fn served(
    session: &mut Session,
    index: &mut SearchIndex,
    changes: &BTreeSet<Change>,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let (snap, _) = session.rebuild(changes).map_err(|d| d.to_string())?;
    let snap = std::sync::Arc::new(snap);
    index.update(&snap);
    let site = Served::new(snap.clone(), 1);
    let mut out = BTreeMap::new();
    for job in &snap.plan.jobs {
        if snap.statics.contains_key(&job.output) {
            continue;
        }
        match site.get(&job.output) {
            Found::Page(Ok(bytes)) => {
                out.insert(job.output.clone(), bytes.to_vec());
            }
            Found::Page(Err(d)) => return Err(d.to_string()),
            _ => {}
        }
    }
    for (path, source) in &snap.statics {
        out.insert(path.clone(), std::fs::read(source).unwrap());
    }
    for (path, bytes) in &index.files {
        out.insert(path.clone(), bytes.to_vec());
    }
    for n in 0..nuri::search::batches(snap.site.entries.len()) {
        let key = format!("search/d/{n}.json");
        if let Found::Page(Ok(bytes)) = site.get(&key) {
            out.insert(key, bytes.to_vec());
        }
    }
    Ok(out)
}

fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| k.to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn incremental_builds_and_serve_equal_a_cold_build(ops in prop::collection::vec(op(), 1..10)) {
        let mut world = World::new();
        let root = world.site.root.clone();
        let work = root.parent().unwrap().to_path_buf();
        let (live, cache) = (work.join("live"), work.join("cache"));
        let mut session = Session::new(request(&root, None), Default::default());
        let mut index = SearchIndex::default();
        build(&root, &live, &cache).unwrap();
        served(&mut session, &mut index, &BTreeSet::new()).unwrap();
        for (step, op) in ops.iter().enumerate() {
            let changes: BTreeSet<Change> = world.apply(op).into_iter().collect();
            let cold_out = work.join(format!("cold-{step}"));
            let cold = build(&root, &cold_out, &work.join(format!("cold-cache-{step}")));
            let warm = build(&root, &live, &cache);
            let preview = served(&mut session, &mut index, &changes);
            match (&cold, &warm) {
                (Ok(c), Ok(w)) => {
                    let diff = differences(c, w);
                    prop_assert!(diff.is_empty(), "step {step} ({op:?}): build with cache differs in {diff:?}");
                }
                (Err(_), Err(_)) => {}
                _ => prop_assert!(false, "step {step} ({op:?}): cold {cold:?} but with cache {warm:?}", cold = cold.as_ref().map(|_| ()), warm = warm.as_ref().map(|_| ())),
            }
            match (&cold, &preview) {
                (Ok(c), Ok(p)) => {
                    let diff = differences(c, p);
                    prop_assert!(diff.is_empty(), "step {step} ({op:?}): serve differs in {diff:?}");
                }
                (Err(_), Err(_)) => {}
                _ => prop_assert!(false, "step {step} ({op:?}): cold {:?} but serve {:?}", cold.as_ref().map(|_| ()), preview.as_ref().map(|_| ())),
            }
            let _ = std::fs::remove_dir_all(&cold_out);
            let _ = std::fs::remove_dir_all(work.join(format!("cold-cache-{step}")));
        }
    }
}
