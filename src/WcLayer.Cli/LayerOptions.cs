using System.CommandLine;

namespace WcLayer.Cli;

/// <summary>The options and arguments that name layers, spelled as in hcsshim's <c>cmd/wclayer</c>.</summary>
internal static class LayerOptions
{
    /// <summary>
    /// <c>-l, --layer</c>, repeatable: the read-only parent layers, immediate parent first, base layer last (the order
    /// hcsshim's tool passes them on).
    /// </summary>
    public static Option<string[]> Parents(string description = "A read-only parent layer; repeat it, immediate parent first, base layer last.") =>
        new("--layer", "-l")
        {
            Description = description,
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };

    public static Argument<string> Layer(string name, string description) =>
        new(name) { Description = description };

    /// <summary>
    /// Makes the paths absolute, as hcsshim does, so the layer chain recorded in a layer never depends on the current
    /// directory, and checks that each is a layer.
    /// </summary>
    /// <param name="parents">The paths given with <c>-l</c>.</param>
    /// <param name="command">The command, for the message.</param>
    /// <param name="needOne">Whether at least one parent is required (create and mount, as in hcsshim).</param>
    /// <returns>The absolute paths.</returns>
    public static IReadOnlyList<string> Normalize(string[]? parents, string command, bool needOne)
    {
        parents ??= [];
        if (needOne && parents.Length == 0)
        {
            throw new UsageException($"at least one read-only layer must be specified with -l (wclayer {command} -l <parent> ...)");
        }

        string[] paths = Array.ConvertAll(parents, Path.GetFullPath);
        LayerPaths.RequireLayers(LayerStore.Default, paths);
        return paths;
    }
}
