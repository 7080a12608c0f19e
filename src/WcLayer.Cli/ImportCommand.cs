using System.CommandLine;
using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary><c>wclayer import [-l parent]... [-i in.tar] &lt;layer&gt;</c>: hcsshim's <c>import</c>, a layer tar into a new layer.</summary>
internal static class ImportCommand
{
    private const string Name = "import";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Option<string[]> parents = LayerOptions.Parents("A read-only parent layer of the new layer (needed when the tar has whiteouts); repeat it, immediate parent first, base layer last.");
        var input = new Option<string>("--input", "-i")
        {
            Description = "The layer tar, plain or gzip-compressed (detected by its magic bytes); standard input when omitted or '-'.",
        };
        Argument<string> layer = LayerOptions.Layer("layer", "The new layer folder; it must not exist or be empty.");
        var command = new Command(Name, "Import a layer from a tar file. Prints nothing on success; nothing is left behind on failure.")
        {
            parents,
            input,
            layer,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), async () =>
        {
            string path = Path.GetFullPath(parseResult.GetValue(layer)!);
            IReadOnlyList<string> parentPaths = LayerOptions.Normalize(parseResult.GetValue(parents), Name, needOne: false);
            string source = parseResult.GetValue(input) ?? TarInput.StandardInputPath;
            bool existed = Directory.Exists(path);
            try
            {
                await using Stream tar = TarInput.Open(source, console.OpenStandardInput);
                using TerminalProgress? progress = TerminalProgress.For(console, "importing");
                await OciLayer.ImportLayerFromTarAsync(tar, path, parentPaths, LayerStore.Default, progress, cancellationToken);
            }
            catch when (!existed)
            {
                RemoveLeftover(path);
                throw;
            }
        }));
        return command;
    }

    // The import creates the layer folder before it writes, and the store keeps a lock file beside it: a failed
    // import must leave the directory as it found it, so the same command can simply be run again.
    private static void RemoveLeftover(string path)
    {
        try
        {
            LayerStore.Default.DestroyLayer(path);
        }
        catch (IOException)
        {
            // The import's own error is the one to report.
        }
    }
}
