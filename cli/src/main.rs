//! The `xianjie` binary; all of its logic lives in the `xianjie_cli` library.

fn main() -> std::process::ExitCode {
    xianjie_cli::main()
}
