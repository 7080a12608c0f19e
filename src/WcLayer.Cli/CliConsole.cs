namespace WcLayer.Cli;

/// <summary>The standard streams a command uses, so tests can run the CLI in-process with their own.</summary>
/// <param name="OpenStandardInput">Opens standard input (called only when a command reads <c>-</c>).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="ErrorIsTerminal">Whether standard error is a terminal: progress lines are drawn only there.</param>
/// <param name="OpenStandardOutput">
/// Opens standard output as bytes (for a tar written to stdout); <see langword="null"/> writes through
/// <paramref name="Output"/>'s stream when it has one.
/// </param>
/// <param name="OutputIsTerminal">Whether standard output is a terminal: a tar is never written there.</param>
public sealed record CliConsole(
    Func<Stream> OpenStandardInput,
    TextWriter Output,
    TextWriter Error,
    bool ErrorIsTerminal = false,
    Func<Stream>? OpenStandardOutput = null,
    bool OutputIsTerminal = false);
