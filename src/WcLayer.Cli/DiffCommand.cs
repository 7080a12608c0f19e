using System.CommandLine;

namespace WcLayer.Cli;

/// <summary><c>wclayer diff [-l parent]... &lt;scratch&gt;</c>: what <c>export</c> would write for a scratch layer, as <c>ls</c> lines.</summary>
internal static class DiffCommand
{
    private const string Name = "diff";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Option<string[]> parents = LayerOptions.Parents("A read-only parent layer to compare against; repeat it, immediate parent first, base layer last. Default: the chain recorded when the scratch layer was created.");
        Argument<string> scratch = LayerOptions.Layer("scratch", "The scratch layer folder (mounted or not).");
        Option<bool> json = LsCommand.JsonOption();
        var command = new Command(Name, "List the changes of a scratch layer against its parents, exactly the entries 'wclayer export' would write (added and changed entries, whiteouts for deletions), in the format of 'wclayer ls'. Leaves the layer's state (mounted or not) unchanged.")
        {
            parents,
            json,
            scratch,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            string path = Path.GetFullPath(parseResult.GetValue(scratch)!);
            string[]? parentPaths = parseResult.GetValue(parents);
            return EntryListing.RunAsync(
                console,
                Name,
                path,
                () => EntryListing.OpenLayer(path, LayerOptions.Normalize(parentPaths, Name, needOne: false), cancellationToken),
                parseResult.GetValue(json),
                parseResult.GetValue(verbose),
                cancellationToken);
        });
        return command;
    }
}
