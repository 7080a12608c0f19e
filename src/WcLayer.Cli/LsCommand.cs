using System.CommandLine;
using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary><c>wclayer ls [-l parent]... &lt;layer.tar|layer&gt;</c>: lists the entries of a layer tar, or of a layer folder as it would be exported, with their Windows metadata.</summary>
internal static class LsCommand
{
    private const string Name = "ls";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var layer = new Argument<string>("layer.tar")
        {
            Description = "The layer tar, plain or gzip-compressed; '-' reads standard input. Or a layer folder: its " +
                "entries as 'wclayer export' would write them (for a scratch layer: its changes, as 'wclayer diff'). " +
                "Or an image (OCI layout, OCI or docker archive): its layers, or with --layer N the entries of layer N (0 = base).",
        };
        Option<string[]> parents = LayerOptions.Parents("For a layer folder: a read-only parent layer; repeat it, immediate parent first, base layer last. Default: the layer's recorded chain.");
        Option<bool> json = JsonOption();
        var command = new Command(Name, Description) { parents, layer, json };
        var image = new ImageOptions();
        image.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            console,
            image.Selector(parseResult),
            parseResult.GetValue(layer)!,
            parseResult.GetValue(parents),
            parseResult.GetValue(json),
            parseResult.GetValue(verbose),
            cancellationToken));
        return command;
    }

    /// <summary>The <c>--json</c> option, shared with <c>diff</c>.</summary>
    /// <returns>A new option.</returns>
    public static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print JSON Lines, one object per entry, with every Windows field (times to 100 ns, " +
            "security descriptor, extended attributes, streams). A failed listing ends with {\"error\": \"...\"}.",
    };

    private static string Description =>
        "List the entries of a Windows layer tar (or of a layer folder), one line per entry. Alternate data streams are shown with the " +
        "entry they belong to." + Environment.NewLine + Environment.NewLine +
        "Columns: type, attributes, size (bytes of the main data stream), last write time (UTC), name, " +
        "'-> target' for links, [:stream size, ...] for alternate data streams." + Environment.NewLine +
        "Types: " + TextEntryWriter.TypeLegend + "." + Environment.NewLine +
        "Attributes: " + AttributeLetters.Legend + ".";

    private static Task<int> RunAsync(CliConsole console, Images.ImageSelector image, string path, string[]? parents, bool json, bool verbose, CancellationToken cancellationToken)
    {
        // An image (OCI layout, OCI or docker archive): its layers, or with --layer N that layer's entries.
        if (path != TarInput.StandardInputPath && ImageListing.IsImage(path))
        {
            return ImageListing.RunAsync(console, path, image, parents, json, verbose, cancellationToken);
        }

        if (path != TarInput.StandardInputPath && Directory.Exists(path))
        {
            string layer = Path.GetFullPath(path);
            return EntryListing.RunAsync(
                console,
                Name,
                layer,
                () => EntryListing.OpenLayer(layer, LayerOptions.Normalize(parents, Name, needOne: false), cancellationToken),
                json,
                verbose,
                cancellationToken);
        }

        string file = path == TarInput.StandardInputPath ? path : Path.GetFullPath(path);
        return EntryListing.RunAsync(console, Name, TarInput.Describe(file), () => TarInput.Open(file, console.OpenStandardInput), json, verbose, cancellationToken);
    }
}
