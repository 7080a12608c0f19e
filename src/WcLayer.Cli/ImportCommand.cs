using System.CommandLine;
using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary><c>wclayer import [-l parent]... [-i in.tar] &lt;layer&gt;</c>: hcsshim's <c>import</c>, a layer tar into a new layer.</summary>
internal static class ImportCommand
{
    private const string Name = "import";

    // What both backends say when a layer without parents holds a whiteout.
    private const string BaseLayerTombstones = "base layer cannot have tombstones: ";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Option<string[]> parents = LayerOptions.Parents("A read-only parent layer of the new layer (needed when the tar has whiteouts); repeat it, immediate parent first, base layer last.");
        var input = new Option<string>("--input", "-i")
        {
            Description = "The layer tar, plain or gzip-compressed (detected by its magic bytes); standard input when omitted or '-'.",
        };
        Argument<string> layer = LayerOptions.Layer("layer", "The new layer folder; it must not exist or be empty.");
        Option<bool> json = JsonOutput.Option("Print the result as one JSON object: layer, parents, entries, bytes (of file data), digest and size (of the input as read), diffId (of the uncompressed tar).");
        var command = new Command(Name, "Import a layer from a tar file. Prints nothing on success (unless --json); nothing is left behind on failure.")
        {
            parents,
            input,
            layer,
            json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), parseResult.GetValue(json), async () =>
        {
            string path = Path.GetFullPath(parseResult.GetValue(layer)!);
            IReadOnlyList<string> parentPaths = LayerOptions.Normalize(parseResult.GetValue(parents), Name, needOne: false);
            LayerPaths.RequireNewLayerPath(LayerStore.Default, path);
            string source = parseResult.GetValue(input) ?? TarInput.StandardInputPath;
            LayerTarDigests? digests = parseResult.GetValue(json) ? new LayerTarDigests() : null;
            await using Stream tar = TarInput.Open(source, console.OpenStandardInput, digests);
            using TerminalProgress? terminal = TerminalProgress.For(console, "importing");
            var progress = new ProgressTally(terminal);
            try
            {
                // A failed import leaves nothing behind (OciLayer removes what it made), so the command can simply be rerun.
                long bytes = await OciLayer.ImportLayerFromTarAsync(tar, path, parentPaths, LayerStore.Default, progress, cancellationToken);
                if (digests is not null)
                {
                    // The digests cover the whole input, padding after the end-of-archive blocks included.
                    await tar.CopyToAsync(Stream.Null, cancellationToken);
                    await JsonOutput.WriteObjectAsync(console.Output, o =>
                    {
                        o.WriteString("layer", path);
                        JsonOutput.WriteStrings(o, "parents", parentPaths);
                        o.WriteNumber("entries", progress.Last.Entries);
                        o.WriteNumber("bytes", bytes);
                        digests.WriteTo(o);
                    });
                }
            }
            catch (InvalidDataException e) when (parentPaths.Count == 0 && e.Message.StartsWith(BaseLayerTombstones, StringComparison.Ordinal))
            {
                throw new UsageException(
                    $"{TarInput.Describe(source)} deletes files of a parent layer ({e.Message[BaseLayerTombstones.Length..]}), so it is not a base layer: " +
                    "name its parent layers with -l <parent>, immediate parent first",
                    e);
            }
        }));
        return command;
    }
}
