//! Writes `ui/src/ipc/bindings.ts`. `scripts/test.sh` runs this and then
//! `git diff --exit-code` on the file, so a stale checked-in copy fails CI.

#[test]
fn bindings_are_current() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc/bindings.ts");
    let text = cairn_api::bindings::typescript();
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    if old != text {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    for cmd in cairn_api::COMMANDS {
        assert!(
            text.contains(&format!("  {cmd}: {{ args:")),
            "{cmd} is in the command map"
        );
    }
}
