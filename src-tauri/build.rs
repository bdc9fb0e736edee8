fn main() {
    // The app has exactly one command, `api`; its permission (`allow-api`) is generated
    // here and granted in capabilities/main.json.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["api"])),
    )
    .expect("tauri build script");
}
