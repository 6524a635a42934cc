//! The command-line tool: checks designs and renders exports in pipelines.

fn main() {
    std::process::exit(obkm_topology::cli::run(
        std::env::args().skip(1).collect(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    ));
}
