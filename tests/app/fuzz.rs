//! Fuzzing the parsers of uploaded data: the organization import's CSV and XLSX readers and
//! the attachments' file-type check, with generated and mutated input. None may panic or
//! abort, and the whole test process must stay under a stated memory bound.
//!
//! CI runs `FUHUA_FUZZ_ITERATIONS` cases per parser (200 unless set); `bench/fuzz.sh` runs
//! many more in a release build. A failure prints the seed: `FUHUA_FUZZ_SEED=… cargo test
//! --test app fuzz::` repeats it.
use crate::support::files::{sheet_of, workbook};
use fuhua::domain::import_export::prepare;
use fuhua::domain::procurement::attachments::checked_file;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The peak resident memory the test process may reach (every test of the binary runs in
/// it; the parsers' own bounds are far below: see `xlsx_limits`).
const MEMORY_BOUND_MIB: u64 = 2048;

fn iterations() -> usize {
    std::env::var("FUHUA_FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
}

fn rng(name: &str) -> (StdRng, u64) {
    let seed = std::env::var("FUHUA_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(rand::random);
    eprintln!("fuzz {name}: seed {seed}, {} cases", iterations());
    (StdRng::seed_from_u64(seed), seed)
}

/// Peak resident memory of this process so far (Linux), in MiB.
fn peak_rss_mib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb / 1024)
}

fn within_memory(name: &str, seed: u64) {
    if let Some(peak) = peak_rss_mib() {
        assert!(peak < MEMORY_BOUND_MIB, "{name} (seed {seed}): peak memory {peak} MiB");
    }
}

/// Runs `f` on each case as it is made (none is kept, so the memory bound is the parsers'
/// own however many cases run); a panic is reported with the case and the seed.
fn each<T: std::fmt::Debug>(name: &str, seed: u64, cases: impl Iterator<Item = T>, f: impl Fn(&T)) {
    for (i, case) in cases.enumerate() {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&case)));
        if r.is_err() {
            let shown: String = format!("{case:?}").chars().take(400).collect();
            panic!("{name}: case {i} (seed {seed}) panicked: {shown}");
        }
    }
}

const CSV_PIECES: &[&str] = &[
    ",",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\r",
    "名称",
    "统一社会信用代码",
    "类型",
    "所属区",
    "吉阳区",
    "=SUM(A1)",
    "'+1",
    "\u{feff}",
    "\t",
    " ",
    "52460200B00000012X",
    "社会服务机构",
    "2021-13-45",
    "9999999999999999999999",
    "\u{202E}",
    "\0",
];

fn random_csv(r: &mut StdRng) -> Vec<u8> {
    let mut out = Vec::new();
    if r.gen_bool(0.5) {
        out.extend_from_slice("名称,类型,所属区,统一社会信用代码\n".as_bytes());
    }
    for _ in 0..r.gen_range(0..200) {
        match r.gen_range(0..10) {
            0 => out.extend((0..r.gen_range(1..16)).map(|_| r.r#gen::<u8>())),
            // Bytes of GB18030 and broken UTF-8 sequences.
            1 => out.extend_from_slice(&[0x81, 0x30, 0x81, 0x30, 0xC3, 0xE9, 0xFF]),
            _ => out.extend_from_slice(CSV_PIECES[r.gen_range(0..CSV_PIECES.len())].as_bytes()),
        }
    }
    out
}

#[test]
fn csv_files_of_any_bytes_are_read_or_refused_never_a_panic() {
    let (mut r, seed) = rng("csv");
    let cases = (0..iterations()).map(|_| random_csv(&mut r));
    each("csv", seed, cases, |bytes| {
        if let Ok(p) = prepare("orgs.csv", bytes) {
            assert!(!p.is_empty() && p.len() <= fuhua::domain::import_export::MAX_ROWS);
        }
    });
    within_memory("csv", seed);
}

/// A cell reference: mostly ordinary, sometimes at the sheet's far edges or beyond them.
fn cell_ref(r: &mut StdRng) -> String {
    match r.gen_range(0..8) {
        0 => "XFD1048576".into(),
        1 => format!("A{}", r.gen_range(1u64..u64::MAX)),
        2 => format!("{}1", ["ZZZZ", "XFE", "AAAAAAA", ""][r.gen_range(0..4)]),
        3 => ["", "1A", "A0", "a1", "A-1"][r.gen_range(0..5)].into(),
        _ => {
            let col = (b'A' + r.gen_range(0..26)) as char;
            format!("{col}{}", r.gen_range(1..300))
        }
    }
}

fn random_sheet(r: &mut StdRng) -> String {
    let mut cells = String::new();
    if r.gen_bool(0.3) {
        cells.push_str(&format!(r#"</sheetData><dimension ref="A1:{}"/><sheetData>"#, cell_ref(r)));
    }
    for row in 1..r.gen_range(1..40) {
        cells.push_str(&format!(r#"<row r="{row}">"#));
        for _ in 0..r.gen_range(0..6) {
            let (t, v) = match r.gen_range(0..7) {
                0 => ("s", r.gen_range(-5i64..20).to_string()),
                1 => ("s", u64::MAX.to_string()),
                2 => ("n", format!("{}", r.r#gen::<f64>() * 1e300)),
                3 => ("b", "2".into()),
                4 => ("e", "#REF!".into()),
                5 => ("str", "三亚市模糊测试中心".into()),
                _ => ("d", "2021-13-99T25:61:61".into()),
            };
            cells.push_str(&format!(r#"<c r="{}" t="{t}"><v>{v}</v></c>"#, cell_ref(r)));
        }
        cells.push_str("</row>");
    }
    sheet_of(&cells)
}

fn random_strings(r: &mut StdRng) -> String {
    let declared = [0u64, 3, 1 << 20, 10_000_000_000, u64::MAX][r.gen_range(0..5)];
    let held: String = (0..r.gen_range(0..10)).map(|i| format!("<si><t>名称{i}</t></si>")).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{declared}" uniqueCount="{declared}">{held}</sst>"#
    )
}

/// Flips, drops or repeats bytes of a valid file.
fn mutate(r: &mut StdRng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..r.gen_range(1..8) {
        if bytes.is_empty() {
            break;
        }
        let at = r.gen_range(0..bytes.len());
        match r.gen_range(0..4) {
            0 => bytes[at] = r.r#gen(),
            1 => bytes.truncate(at),
            2 => {
                let end = (at + r.gen_range(1..64)).min(bytes.len());
                let piece = bytes[at..end].to_vec();
                bytes.splice(at..at, piece);
            }
            _ => bytes[at] ^= 1 << r.gen_range(0..8),
        }
    }
    bytes
}

#[test]
fn workbooks_generated_and_mutated_at_random_are_read_or_refused_within_bounds() {
    let (mut r, seed) = rng("xlsx");
    let cases = (0..iterations()).map(|_| {
        let book = workbook(&random_sheet(&mut r), &random_strings(&mut r));
        if r.gen_bool(0.4) { mutate(&mut r, book) } else { book }
    });
    each("xlsx", seed, cases, |bytes| {
        let _ = prepare("orgs.xlsx", bytes);
    });
    within_memory("xlsx", seed);
}

#[test]
fn the_file_type_check_takes_any_bytes_and_any_name() {
    let (mut r, seed) = rng("file type");
    let starts: [&[u8]; 6] = [b"%PDF-", b"\x89PNG\r\n\x1a\n", &[0xFF, 0xD8, 0xFF], b"PK\x03\x04", b"MZ", b""];
    let names = ["a.pdf", "b.png", "c.jpg", "d.docx", "e.xlsx", "", "..", "x/y\\z.pdf", "\u{202E}fdp.exe", "名.PDF"];
    let cases = (0..iterations()).map(|_| {
        let mut bytes = starts[r.gen_range(0..starts.len())].to_vec();
        bytes.extend((0..r.gen_range(0..512)).map(|_| r.r#gen::<u8>()));
        if r.gen_bool(0.3) {
            bytes.extend_from_slice(b"word/document.xml xl/workbook.xml [Content_Types].xml");
        }
        (names[r.gen_range(0..names.len())].to_string(), bytes)
    });
    each("file type", seed, cases, |(name, bytes)| {
        if let Ok((kept, kind)) = checked_file(name, bytes) {
            assert!(!kept.is_empty() && ["pdf", "png", "jpeg", "docx", "xlsx"].contains(&kind), "{kept} {kind}");
            assert!(!kept.contains(['/', '\\']) && !kept.chars().any(fuhua::domain::invisible), "{kept:?}");
        }
    });
    within_memory("file type", seed);
}
