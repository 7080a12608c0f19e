namespace WcLayer.Cli;

/// <summary>The standard streams a command uses, so tests can run the CLI in-process with their own.</summary>
/// <param name="OpenStandardInput">Opens standard input (called only when a command reads <c>-</c>).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record CliConsole(Func<Stream> OpenStandardInput, TextWriter Output, TextWriter Error);
