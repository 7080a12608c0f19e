namespace WcLayer.Cli;

/// <summary>
/// hcsshim's tool takes Go-style long options with one dash (<c>-layer</c>); scripts written for it must keep working,
/// so those spellings are rewritten to ours before parsing (and stay out of the help, which shows one spelling).
/// </summary>
internal static class HcsshimSpellings
{
    private static readonly Dictionary<string, string> LongOptions = new(StringComparer.Ordinal)
    {
        ["-layer"] = "--layer",
        ["-input"] = "--input",
        ["-output"] = "--output",
        ["-gzip"] = "--gzip",
    };

    /// <summary>Rewrites hcsshim's single-dash long options; a token after <c>--</c> is a value and is kept.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The command line in this tool's spelling.</returns>
    public static string[] Normalize(IReadOnlyList<string> args)
    {
        var normalized = new string[args.Count];
        bool valuesOnly = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            valuesOnly |= arg == "--";
            normalized[i] = !valuesOnly && LongOptions.TryGetValue(arg, out string? ours) ? ours : arg;
        }

        return normalized;
    }
}
