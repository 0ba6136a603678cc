fn main() {
    // Block-buffered: a locked stdout is line-buffered, which costs one write(2) per line of a
    // 35 MB pretty-printed JSON report. `run` flushes before it returns and reports write errors.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let code = cuport::run(std::env::args_os(), &mut out, &mut std::io::stderr().lock());
    std::process::exit(code);
}
