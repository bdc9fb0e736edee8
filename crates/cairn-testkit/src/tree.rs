//! Deterministic random fixture trees.
//!
//! A tree is a function of `(seed, TreeSpec)` only: the same pair always
//! writes the same names, bytes and modes, on any machine. The generator is a
//! ChaCha8 stream seeded with the `u64`; nothing else (time, hash-map order,
//! directory listing order) feeds into it.
//!
//! Every tree contains, whatever the seed (as long as the spec asks for files
//! and directories), at least one of each kind of awkward entry the
//! cross-tool tests care about: see [`Feature`]. The rest is filled randomly
//! from the same name pools.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate. `Default` is a small tree suitable for a cross-tool test
/// that runs the real `dvc` on it (a few dozen files, a few MiB in total).
#[derive(Clone, Debug)]
pub struct TreeSpec {
    /// Directories at the root of the tree; each is meant to be one `add` target.
    pub top_dirs: usize,
    /// Regular files at the root of the tree; each is meant to be one `add` target.
    pub top_files: usize,
    /// Files placed inside the top-level directories (at any depth).
    pub files: usize,
    /// Maximum nesting below a top-level directory (1 = no subdirectories).
    pub max_depth: usize,
    /// Upper bound for ordinary file sizes, in bytes.
    pub max_file_size: usize,
    /// Extra "big" files of 1–4 MiB each, placed inside the directories.
    pub big_files: usize,
    /// Extra empty directories (some of them nested chains of empty dirs).
    pub empty_dirs: usize,
    /// Make some files executable (mode 0755 instead of 0644).
    pub executables: bool,
    /// Write a `.dvcignore` at the root (see [`DVCIGNORE`]) and generate
    /// files that its patterns match and do not match.
    pub dvcignore: bool,
}

impl Default for TreeSpec {
    fn default() -> Self {
        TreeSpec {
            top_dirs: 2,
            top_files: 2,
            files: 40,
            max_depth: 3,
            max_file_size: 256 * 1024,
            big_files: 0,
            empty_dirs: 3,
            executables: true,
            dvcignore: false,
        }
    }
}

impl TreeSpec {
    /// The default spec with a root `.dvcignore`.
    pub fn with_dvcignore() -> Self {
        TreeSpec {
            dvcignore: true,
            ..TreeSpec::default()
        }
    }
}

/// The `.dvcignore` written when [`TreeSpec::dvcignore`] is set.
///
/// Gitignore semantics: every `*.log` file is ignored except files named
/// `keep.log`, and every directory named `tmp` is ignored with everything in
/// it (a `keep.log` inside `tmp/` stays ignored: git cannot re-include a file
/// whose parent directory is excluded).
pub const DVCIGNORE: &str = "# written by cairn-testkit\n*.log\n!keep.log\ntmp/\n";

/// Whether `rel` (relative to the tree root, `/`-separated) is excluded by
/// [`DVCIGNORE`]. Only valid for trees made by this generator, whose random
/// names never end in `.log` and are never `tmp`.
pub fn dvcignored(rel: &Path) -> bool {
    let comps: Vec<&str> = rel
        .components()
        .map(|c| c.as_os_str().to_str().expect("generated names are UTF-8"))
        .collect();
    let Some((name, dirs)) = comps.split_last() else {
        return false;
    };
    if dirs.contains(&"tmp") {
        return true;
    }
    name.ends_with(".log") && *name != "keep.log"
}

/// The kinds of entries every generated tree contains (given enough files and
/// directories in the spec); [`RandomTree::generate`] places one of each
/// before filling the rest randomly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Feature {
    /// A precomposed accented name (`café`).
    Accent,
    /// The same letter as base + combining mark (NFD); DVC does not normalise.
    Decomposed,
    /// CJK characters.
    Cjk,
    /// A character above U+FFFF (surrogate pair in Python's JSON).
    Emoji,
    /// Spaces, including a leading one.
    Space,
    /// Single and double quotes.
    Quote,
    /// A backslash (escaped in the `.dir` manifest JSON).
    Backslash,
    /// Shell/glob/YAML-significant characters: `#`, `!`, `[`, `&`, `:`, ...
    Punctuation,
    /// `A.txt` and `a.txt` in the same directory (code-point sort order).
    CasePair,
    /// `sub-x.txt` next to directory `sub/` (`-` sorts before `/`).
    SortTrap,
    /// A hidden (dot) file.
    Hidden,
    /// A zero-byte file.
    EmptyFile,
    /// An executable file (mode 0755).
    Executable,
    /// A directory two or more levels below a top-level directory.
    Nested,
    /// An empty directory.
    EmptyDir,
    /// Two files with identical content (one cache object).
    Duplicate,
    /// A file with CRLF line endings (hashed raw in DVC 3).
    Crlf,
}

impl Feature {
    /// Every feature, in declaration order.
    pub const ALL: [Feature; 17] = [
        Feature::Accent,
        Feature::Decomposed,
        Feature::Cjk,
        Feature::Emoji,
        Feature::Space,
        Feature::Quote,
        Feature::Backslash,
        Feature::Punctuation,
        Feature::CasePair,
        Feature::SortTrap,
        Feature::Hidden,
        Feature::EmptyFile,
        Feature::Executable,
        Feature::Nested,
        Feature::EmptyDir,
        Feature::Duplicate,
        Feature::Crlf,
    ];
}

/// Names for entries inside the top-level directories. Anything legal on
/// Linux except `/`, NUL and control characters other than tab.
const STEMS: &[&str] = &[
    "a",
    "b",
    "README",
    "data",
    "x1",
    "Zeta",
    "config",
    "notes",
    "img_0001",
    "part-00000",
    "café",
    "naïve",
    "résumé",
    "Ångström",
    "e\u{301}cole",
    "straße",
    "数据",
    "日本語",
    "한국어",
    "表",
    "😀",
    "🚀data",
    "emoji_😀",
    "🎉🎉",
    "with space",
    " leading space",
    "trailing space ",
    "two  spaces",
    "it's",
    "say \"hi\"",
    "back`tick",
    "a#b",
    "!bang",
    "dollar$HOME",
    "per%cent",
    "amp&and",
    "paren(1)",
    "brack[1]",
    "brace{x}",
    "semi;colon",
    "col: on",
    "comma,sep",
    "plus+eq=",
    "tilde~",
    "@at",
    "star*",
    "q?",
    "back\\slash",
    "-dash",
    "--double",
    "123",
    "1e3",
    "0x1F",
    "true",
    "null",
    "yes",
    "~",
    "…ellipsis",
    "tab\tname",
    "MiXeD",
];

const EXTS: &[&str] = &[
    "", ".txt", ".txt", ".csv", ".bin", ".json", ".tar.gz", ".TXT", ".yaml",
];

/// Names for the top-level targets. These end up on command lines, in the
/// `path:` of `.dvc` files and (escaped) in `.gitignore`, so the pool leans on
/// the cases that need YAML quoting or gitignore escaping, but leaves out
/// `*`/`?` (glob-looking arguments), a leading `-` (option-looking arguments)
/// and tabs.
const TOP_DIRS: &[&str] = &[
    "data",
    "images",
    "raw data",
    "données",
    "数据集",
    "model 🚀",
    "it's",
    "1984",
    "yes",
    "a#b",
    "x[1]",
    "!important",
    "col: on",
    "Features",
    "~home",
];

const TOP_FILES: &[&str] = &[
    "model.bin",
    "weights.pt",
    "labels.csv",
    "résumé.pdf",
    "表.txt",
    "🚀.dat",
    "with space.txt",
    "it's.txt",
    "42",
    "true",
    "null.json",
    "a#b.txt",
    "x[0].npy",
    "!bang.txt",
    "key: value.txt",
    "0.5",
];

/// Entry point of the generator.
pub struct RandomTree;

impl RandomTree {
    /// Write a random tree described by `spec` into `root` (which must exist;
    /// other entries in it are left alone). Returns every file written, as
    /// paths relative to `root`, sorted; that includes `.dvcignore` when
    /// requested.
    pub fn generate(root: &Path, seed: u64, spec: &TreeSpec) -> Vec<PathBuf> {
        Generator::new(root, seed, spec)
            .run()
            .unwrap_or_else(|e| panic!("generating tree in {}: {e}", root.display()))
    }

    /// The top-level `add` targets among `files` (as returned by
    /// [`RandomTree::generate`]): the first path component of every file,
    /// deduplicated, without dot-files. Sorted. Empty top-level directories
    /// are not included (they hold no file); list them with `read_dir`.
    pub fn targets(files: &[PathBuf]) -> Vec<String> {
        let set: BTreeSet<String> = files
            .iter()
            .filter_map(|p| p.components().next())
            .map(|c| c.as_os_str().to_str().expect("UTF-8").to_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        set.into_iter().collect()
    }
}

struct Generator<'a> {
    root: &'a Path,
    spec: &'a TreeSpec,
    rng: ChaCha8Rng,
    /// Directories (relative) that files may go into, top-level dirs included.
    dirs: Vec<PathBuf>,
    /// Every name used so far, as full relative paths, to avoid collisions.
    taken: BTreeSet<PathBuf>,
    files: Vec<PathBuf>,
    /// Content of a previous file, for duplicates.
    last_content: Vec<u8>,
}

impl<'a> Generator<'a> {
    fn new(root: &'a Path, seed: u64, spec: &'a TreeSpec) -> Self {
        Generator {
            root,
            spec,
            rng: ChaCha8Rng::seed_from_u64(seed),
            dirs: Vec::new(),
            taken: BTreeSet::new(),
            files: Vec::new(),
            last_content: b"duplicate content\n".to_vec(),
        }
    }

    fn run(mut self) -> io::Result<Vec<PathBuf>> {
        if self.spec.dvcignore {
            self.write_file(Path::new(".dvcignore"), DVCIGNORE.as_bytes(), false)?;
        }

        // Skeleton: top-level directories and their subdirectories.
        for _ in 0..self.spec.top_dirs {
            let name = self.unique_name(Path::new(""), TOP_DIRS, "");
            self.make_dir(&name)?;
            self.subdirs(&name, 1)?;
        }
        let top_dirs: Vec<PathBuf> = self.dirs.clone();

        if !top_dirs.is_empty() {
            self.mandatory(&top_dirs)?;
            let budget = self.spec.files.saturating_sub(self.files.len());
            for _ in 0..budget {
                let dir = self.dirs.choose(&mut self.rng).unwrap().clone();
                let name = self.random_file_name(&dir);
                let exec = self.spec.executables && self.rng.random_bool(0.1);
                let content = self.random_content();
                self.write_file(&dir.join(name), &content, exec)?;
            }
            for _ in 0..self.spec.big_files {
                let dir = self.dirs.choose(&mut self.rng).unwrap().clone();
                let name = self.unique_name(&dir, &["big", "huge", "blob"], ".bin");
                let size = self.rng.random_range(1 << 20..=4 << 20);
                let content = self.random_bytes(size);
                self.write_file(&dir.join(name), &content, false)?;
            }
            for i in 0..self.spec.empty_dirs {
                let parent = self.dirs.choose(&mut self.rng).unwrap().clone();
                let name = self.unique_name(&parent, &["empty", "vide", "空", "nothing here"], "");
                let mut dir = parent.join(name);
                // Every other one is a chain of empty directories.
                let chain: &[&str] = if i % 2 == 1 {
                    &["inner", "deeper"]
                } else {
                    &[]
                };
                fs::create_dir(self.root.join(&dir))?;
                self.taken.insert(dir.clone());
                for sub in chain {
                    dir.push(sub);
                    fs::create_dir(self.root.join(&dir))?;
                    self.taken.insert(dir.clone());
                }
            }
        }

        for i in 0..self.spec.top_files {
            let name = self.unique_name(Path::new(""), TOP_FILES, "");
            // The first top-level file is executable when asked for: it is the
            // `isexec: true` case of single-file outputs.
            let exec = self.spec.executables && (i == 0 || self.rng.random_bool(0.2));
            let content = self.random_content();
            self.write_file(&name, &content, exec)?;
        }

        self.files.sort();
        Ok(self.files)
    }

    /// One entry of each [`Feature`], spread over random directories.
    fn mandatory(&mut self, top_dirs: &[PathBuf]) -> io::Result<()> {
        let named: &[&str] = &[
            "café.txt",
            "e\u{301}cole.txt",
            "数据.csv",
            "emoji_😀.txt",
            " leading and inner space.txt",
            "it's \"quoted\".txt",
            "back\\slash.txt",
            "odd #!&;:[]{}()$%@+=,~.txt",
            ".hidden",
        ];
        for name in named {
            let dir = self.dirs.choose(&mut self.rng).unwrap().clone();
            let name = self.dedupe(&dir, name);
            let content = self.random_content();
            self.write_file(&dir.join(name), &content, false)?;
        }

        // Case pair, in one directory.
        let dir = self.dirs.choose(&mut self.rng).unwrap().clone();
        for name in ["Case.txt", "case.txt"] {
            let name = self.dedupe(&dir, name);
            let content = self.random_content();
            self.write_file(&dir.join(name), &content, false)?;
        }

        // Nested: make sure some directory is at depth >= 3 (top/x/y).
        let first = top_dirs[0].clone();
        let nested = first.join("nested").join("deeper");
        if !self.taken.contains(&nested) {
            for d in [first.join("nested"), nested.clone()] {
                if !self.taken.contains(&d) {
                    self.make_dir(&d)?;
                }
            }
        }
        let content = self.random_content();
        let name = self.dedupe(&nested, "leaf.txt");
        self.write_file(&nested.join(name), &content, false)?;

        // Sort trap: `<dir>-x.txt` and `<dir>.txt` next to `<dir>/`.
        let parent = first.join("nested");
        for suffix in ["-x.txt", ".txt", " x"] {
            let name = self.dedupe(&parent, &format!("deeper{suffix}"));
            let content = self.random_content();
            self.write_file(&parent.join(name), &content, false)?;
        }

        // Empty file, executable file.
        let dir = self.dirs.choose(&mut self.rng).unwrap().clone();
        let name = self.dedupe(&dir, "empty.txt");
        self.write_file(&dir.join(name), b"", false)?;
        if self.spec.executables {
            let dir = self.dirs.choose(&mut self.rng).unwrap().clone();
            let name = self.dedupe(&dir, "run.sh");
            self.write_file(&dir.join(name), b"#!/bin/sh\necho hi\n", true)?;
        }

        // Duplicate content in two directories, CRLF text.
        let content = self.random_content();
        for name in ["dup-1.bin", "dup-2.bin"] {
            let dir = self.dirs.choose(&mut self.rng).unwrap().clone();
            let name = self.dedupe(&dir, name);
            self.write_file(&dir.join(name), &content, false)?;
        }
        let dir = self.dirs.choose(&mut self.rng).unwrap().clone();
        let name = self.dedupe(&dir, "crlf.csv");
        self.write_file(&dir.join(name), b"a,b\r\n1,2\r\n3,4\r\n", false)?;

        // Empty directory (more come from spec.empty_dirs).
        let dir = self.dirs.choose(&mut self.rng).unwrap().clone();
        let name = self.dedupe(&dir, "empty dir");
        let path = dir.join(name);
        fs::create_dir(self.root.join(&path))?;
        self.taken.insert(path);

        if self.spec.dvcignore {
            let d0 = self.dirs.choose(&mut self.rng).unwrap().clone();
            let d1 = self.dirs.choose(&mut self.rng).unwrap().clone();
            for (dir, name) in [(&d0, "debug.log"), (&d1, "other.log"), (&d0, "keep.log")] {
                let name = self.dedupe(dir, name);
                let content = self.random_content();
                self.write_file(&dir.join(name), &content, false)?;
            }
            // A `tmp/` with a file and a nested `keep.log` (still ignored).
            let tmp = first.join("tmp");
            if !self.taken.contains(&tmp) {
                fs::create_dir(self.root.join(&tmp))?;
                self.taken.insert(tmp.clone());
            }
            for name in ["scratch.bin", "keep.log"] {
                let name = self.dedupe(&tmp, name);
                let content = self.random_content();
                self.write_file(&tmp.join(name), &content, false)?;
            }
            // `tmp` as a *file* name is not a directory: not ignored.
            let name = self.dedupe(&d1, "tmp.txt");
            let content = self.random_content();
            self.write_file(&d1.join(name), &content, false)?;
        }
        Ok(())
    }

    fn subdirs(&mut self, parent: &Path, depth: usize) -> io::Result<()> {
        if depth >= self.spec.max_depth {
            return Ok(());
        }
        let n = self.rng.random_range(0..=3usize.saturating_sub(depth - 1));
        for _ in 0..n {
            let name = self.unique_name(parent, STEMS, "");
            let dir = parent.join(name);
            self.make_dir(&dir)?;
            self.subdirs(&dir, depth + 1)?;
        }
        Ok(())
    }

    fn make_dir(&mut self, rel: &Path) -> io::Result<()> {
        fs::create_dir(self.root.join(rel))
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", rel.display())))?;
        self.taken.insert(rel.to_path_buf());
        self.dirs.push(rel.to_path_buf());
        Ok(())
    }

    fn random_file_name(&mut self, dir: &Path) -> PathBuf {
        let ext = *EXTS.choose(&mut self.rng).unwrap();
        self.unique_name(dir, STEMS, ext)
    }

    /// A name from `pool` + `ext` not yet used in `dir`.
    fn unique_name(&mut self, dir: &Path, pool: &[&str], ext: &str) -> PathBuf {
        let stem = *pool.choose(&mut self.rng).unwrap();
        PathBuf::from(self.dedupe(dir, &format!("{stem}{ext}")))
    }

    /// `name`, or `name` with a counter inserted, so that `dir/name` is new.
    /// Names are checked against the reserved ones DVC or git treat specially.
    fn dedupe(&mut self, dir: &Path, name: &str) -> String {
        let mut candidate = name.to_owned();
        let mut i = 2;
        loop {
            let reserved = matches!(
                candidate.as_str(),
                ".git" | ".dvc" | ".dvcignore" | ".gitignore" | "tmp"
            ) || (candidate.ends_with(".log") && !name.ends_with(".log"))
                || (dir.as_os_str().is_empty() && candidate.ends_with(".dvc"));
            if !reserved && !self.taken.contains(&dir.join(&candidate)) {
                return candidate;
            }
            candidate = match name.find('.').filter(|&p| p > 0) {
                Some(p) => format!("{} {i}{}", &name[..p], &name[p..]),
                None => format!("{name} {i}"),
            };
            i += 1;
        }
    }

    fn random_content(&mut self) -> Vec<u8> {
        let kind = self.rng.random_range(0..100);
        let content = if kind < 8 {
            return self.last_content.clone(); // duplicate of the previous file
        } else if kind < 16 {
            Vec::new()
        } else {
            let max = self.spec.max_file_size.max(1);
            let bucket = self.rng.random_range(0..100);
            let size = if bucket < 45 {
                self.rng.random_range(1..=max.min(1024))
            } else if bucket < 85 {
                self.rng.random_range(1..=max.min(32 * 1024))
            } else {
                self.rng.random_range(1..=max)
            };
            if kind < 40 {
                self.random_text(size)
            } else {
                self.random_bytes(size)
            }
        };
        self.last_content = content.clone();
        content
    }

    fn random_bytes(&mut self, size: usize) -> Vec<u8> {
        let mut buf = vec![0u8; size];
        self.rng.fill_bytes(&mut buf);
        buf
    }

    /// Printable text with `\n` or (sometimes) `\r\n` line ends.
    fn random_text(&mut self, size: usize) -> Vec<u8> {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789,.;:-_";
        let crlf = self.rng.random_bool(0.3);
        let mut out = Vec::with_capacity(size);
        while out.len() < size {
            if self.rng.random_range(0..40) == 0 {
                if crlf {
                    out.push(b'\r');
                }
                out.push(b'\n');
            } else {
                out.push(*ALPHABET.choose(&mut self.rng).unwrap());
            }
        }
        out.truncate(size);
        out
    }

    fn write_file(&mut self, rel: &Path, content: &[u8], exec: bool) -> io::Result<()> {
        let path = self.root.join(rel);
        fs::write(&path, content)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", rel.display())))?;
        let mode = if exec { 0o755 } else { 0o644 };
        fs::set_permissions(&path, fs::Permissions::from_mode(mode))?;
        self.taken.insert(rel.to_path_buf());
        self.files.push(rel.to_path_buf());
        Ok(())
    }
}

impl RandomTree {
    /// Which [`Feature`]s the files under `root` exhibit, found by looking at
    /// the tree on disk (not at the generator's bookkeeping). `files` is the
    /// list [`RandomTree::generate`] returned.
    pub fn features(root: &Path, files: &[PathBuf]) -> BTreeSet<Feature> {
        let mut found = BTreeSet::new();
        let mut contents: Vec<Vec<u8>> = Vec::new();
        for rel in files {
            if rel == Path::new(".dvcignore") {
                continue;
            }
            let path = root.join(rel);
            let meta = fs::metadata(&path).expect("generated file exists");
            let bytes = fs::read(&path).expect("generated file is readable");
            let name = rel.file_name().unwrap().to_str().unwrap();
            let has = |f: fn(char) -> bool| rel.to_str().unwrap().chars().any(f);
            let checks = [
                (
                    Feature::Accent,
                    has(|c| ('\u{c0}'..='\u{24f}').contains(&c)),
                ),
                (
                    Feature::Decomposed,
                    has(|c| ('\u{300}'..='\u{36f}').contains(&c)),
                ),
                (
                    Feature::Cjk,
                    has(|c| {
                        ('\u{4e00}'..='\u{9fff}').contains(&c)
                            || ('\u{ac00}'..='\u{d7af}').contains(&c)
                    }),
                ),
                (Feature::Emoji, has(|c| c > '\u{ffff}')),
                (
                    Feature::Space,
                    name.starts_with(' ') && name[1..].contains(' '),
                ),
                (Feature::Quote, name.contains('\'') && name.contains('"')),
                (Feature::Backslash, name.contains('\\')),
                (
                    Feature::Punctuation,
                    ['#', '!', '[', '&', ':'].iter().all(|c| name.contains(*c)),
                ),
                (Feature::Hidden, name.starts_with('.')),
                (Feature::EmptyFile, meta.len() == 0),
                (Feature::Executable, meta.permissions().mode() & 0o111 != 0),
                (Feature::Nested, rel.components().count() >= 4),
                (Feature::Crlf, bytes.windows(2).any(|w| w == b"\r\n")),
            ];
            found.extend(checks.iter().filter(|(_, ok)| *ok).map(|(f, _)| *f));

            let parent = rel.parent().unwrap();
            if files.iter().any(|o| {
                o != rel
                    && o.parent() == Some(parent)
                    && o.file_name().unwrap().to_str().unwrap().to_lowercase()
                        == name.to_lowercase()
            }) {
                found.insert(Feature::CasePair);
            }
            if let Some((stem, _)) = name.split_once('-')
                && root.join(parent).join(stem).is_dir()
            {
                found.insert(Feature::SortTrap);
            }
            if !bytes.is_empty() {
                if contents.contains(&bytes) {
                    found.insert(Feature::Duplicate);
                }
                contents.push(bytes);
            }
        }
        if has_empty_dir(root).unwrap_or(false) {
            found.insert(Feature::EmptyDir);
        }
        found
    }
}

fn has_empty_dir(dir: &Path) -> io::Result<bool> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() && entry.file_name() != ".git" {
            let path = entry.path();
            if fs::read_dir(&path)?.next().is_none() || has_empty_dir(&path)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
