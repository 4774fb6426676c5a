// The default theme is embedded with include_dir!, which cannot tell cargo to rebuild
// when a template or asset changes: say it here.
fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=static");
    println!("cargo:rerun-if-changed=build.rs");
}
