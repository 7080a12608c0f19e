using System.CommandLine;
using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary><c>wclayer ls &lt;layer.tar&gt;</c>: lists the entries of a layer tar with their Windows metadata.</summary>
internal static class LsCommand
{
    private const string Name = "ls";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var layer = new Argument<string>("layer.tar")
        {
            Description = "The layer tar, plain or gzip-compressed; '-' reads standard input.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON Lines, one object per entry, with every Windows field (times to 100 ns, " +
                "security descriptor, extended attributes, streams). A failed listing ends with {\"error\": \"...\"}.",
        };
        var command = new Command(Name, Description) { layer, json };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            console,
            parseResult.GetValue(layer)!,
            parseResult.GetValue(json),
            parseResult.GetValue(verbose),
            cancellationToken));
        return command;
    }

    private static string Description =>
        "List the entries of a Windows layer tar, one line per entry. Alternate data streams are shown with the " +
        "entry they belong to." + Environment.NewLine + Environment.NewLine +
        "Columns: type, attributes, size (bytes of the main data stream), last write time (UTC), name, " +
        "'-> target' for links, [:stream size, ...] for alternate data streams." + Environment.NewLine +
        "Types: " + TextEntryWriter.TypeLegend + "." + Environment.NewLine +
        "Attributes: " + AttributeLetters.Legend + ".";

    private static async Task<int> RunAsync(CliConsole console, string path, bool json, bool verbose, CancellationToken cancellationToken)
    {
        using JsonEntryWriter? jsonWriter = json ? new JsonEntryWriter(console.Output) : null;
        IEntryWriter writer = jsonWriter ?? (IEntryWriter)new TextEntryWriter(console.Output);
        var grouper = new StreamGrouper();
        try
        {
            await using Stream input = TarInput.Open(path, console.OpenStandardInput);
            await using var reader = new LayerTarReader(input);
            while (await reader.GetNextEntryAsync(cancellationToken) is { } entry)
            {
                if (grouper.Add(entry) is { } completed)
                {
                    writer.Write(completed);
                }
            }

            if (grouper.Flush() is { } last)
            {
                writer.Write(last);
            }

            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What was read before the failure is still worth seeing (it tells where the tar went wrong).
            if (grouper.Flush() is { } last)
            {
                writer.Write(last);
            }

            string message = $"{TarInput.Describe(path)}: {CommandErrors.Describe(e)}";
            writer.WriteError(message);
            await console.Error.WriteLineAsync($"wclayer {Name}: {message}");
            if (verbose)
            {
                await console.Error.WriteLineAsync(e.ToString());
            }

            return 1;
        }
    }
}
