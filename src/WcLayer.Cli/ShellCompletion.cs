using System.CommandLine;
using System.CommandLine.Completions;
using System.Globalization;

namespace WcLayer.Cli;

/// <summary>
/// Answers System.CommandLine's <c>[suggest:position] "command line"</c> directive, the protocol of the
/// <c>dotnet-suggest</c> shell completion scripts: one completion per line. The root command is not a
/// <c>RootCommand</c> (its name must be <c>wclayer</c> wherever the tool runs from), so the directive is read here.
/// </summary>
internal static class ShellCompletion
{
    private const string Directive = "[suggest";

    /// <summary>Whether <paramref name="args"/> ask for completions.</summary>
    /// <param name="args">The command line.</param>
    /// <returns><see langword="true"/> for <c>[suggest]</c> or <c>[suggest:N]</c> first.</returns>
    public static bool IsRequest(IReadOnlyList<string> args) =>
        args.Count > 0 && args[0].StartsWith(Directive, StringComparison.Ordinal) && args[0].EndsWith(']');

    /// <summary>Prints the completions for the command line and cursor position the directive gives.</summary>
    /// <param name="args">The command line: the directive, then the line to complete.</param>
    /// <param name="root">The command tree.</param>
    /// <param name="configuration">The parser settings the tool uses.</param>
    /// <param name="output">Standard output.</param>
    /// <returns>A task that completes when the completions are written.</returns>
    public static async Task RunAsync(IReadOnlyList<string> args, Command root, ParserConfiguration configuration, TextWriter output)
    {
        string line = args.Count > 1 ? args[1] : string.Empty;
        string directive = args[0];
        int position = directive.Length > Directive.Length + 2 && directive[Directive.Length] == ':'
            && int.TryParse(directive.AsSpan(Directive.Length + 1, directive.Length - Directive.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out int p)
            ? Math.Min(p, line.Length)
            : line.Length;

        // The shell passes the whole line, program name included.
        string prefix = Program.ToolName + " ";
        if (line.StartsWith(prefix, StringComparison.Ordinal))
        {
            line = line[prefix.Length..];
            position = Math.Max(0, position - prefix.Length);
        }

        ParseResult parseResult = root.Parse(line, configuration);
        foreach (string label in parseResult.GetCompletions(position).Select(c => c.Label).Distinct(StringComparer.Ordinal))
        {
            await output.WriteLineAsync(label);
        }
    }
}
