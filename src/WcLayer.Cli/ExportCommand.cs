using System.CommandLine;
using System.IO.Compression;
using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary><c>wclayer export [-l parent]... [-o out.tar] [-z] &lt;layer&gt;</c>: hcsshim's <c>export</c>, a layer (or a scratch layer's changes) to a tar.</summary>
internal static class ExportCommand
{
    private const string Name = "export";

    // Many small header writes: without a buffer each would be a write syscall on the pipe.
    private const int BufferSize = 1 << 20;

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Option<string[]> parents = LayerOptions.Parents("A read-only parent layer (for a scratch layer: what its changes are computed against); repeat it, immediate parent first, base layer last. Default: the layer's recorded chain.");
        var output = new Option<string>("--output", "-o")
        {
            Description = "The tar to write; standard output when omitted or '-'. Written under a temporary name and renamed when complete: a failed or killed export leaves no partial tar there.",
        };
        var gzip = new Option<bool>("--gzip", "-z")
        {
            Description = "Compress the output with gzip (default level, as hcsshim's gzip.NewWriter).",
        };
        Argument<string> layer = LayerOptions.Layer("layer", "The layer folder: a read-only layer (its own entries) or a scratch layer (its difference against the parents).");
        Option<bool> json = JsonOutput.Option("With -o: print the result as one JSON object: layer, output, entries, bytes (of file data), digest and size (of the file written), diffId (of the uncompressed tar).");
        var command = new Command(Name, "Export a layer to a tar file, in the deterministic layout hcsshim writes.")
        {
            parents,
            output,
            gzip,
            layer,
            json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), parseResult.GetValue(json), () => RunAsync(
            console,
            Path.GetFullPath(parseResult.GetValue(layer)!),
            LayerOptions.Normalize(parseResult.GetValue(parents), Name, needOne: false),
            parseResult.GetValue(output),
            parseResult.GetValue(gzip),
            parseResult.GetValue(json),
            cancellationToken)));
        return command;
    }

    private static async Task RunAsync(CliConsole console, string path, IReadOnlyList<string> parents, string? outputPath, bool gzip, bool json, CancellationToken cancellationToken)
    {
        bool toStandardOutput = outputPath is null || outputPath == TarInput.StandardInputPath;
        if (json && toStandardOutput)
        {
            throw new UsageException("--json needs -o <file>: standard output carries the tar");
        }

        LayerPaths.RequireLayer(LayerStore.Default, path);
        LayerTarDigests? digests = json ? new LayerTarDigests() : null;
        if (toStandardOutput)
        {
            await ExportAsync(console, path, parents, StandardOutput(console), gzip, digests, cancellationToken);
            return;
        }

        string file = Path.GetFullPath(outputPath!);
        LayerProgress totals;
        if (OutputPath.IsSpecial(file))
        {
            totals = await ExportAsync(console, path, parents, new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0), gzip, digests, cancellationToken);
        }
        else
        {
            // Written under a temporary name and renamed when whole: a killed or failed export never leaves a truncated
            // tar (which looks like a valid, smaller layer to the next tool) at the name asked for, nor destroys the
            // file that was there.
            await using var output = new AtomicFile(file);
            totals = await ExportAsync(console, path, parents, output.Stream, gzip, digests, cancellationToken);
            await output.CommitAsync();
        }

        if (digests is not null)
        {
            await JsonOutput.WriteObjectAsync(console.Output, o =>
            {
                o.WriteString("layer", path);
                o.WriteString("output", file);
                o.WriteNumber("entries", totals.Entries);
                o.WriteNumber("bytes", totals.Bytes);
                digests.WriteTo(o);
            });
        }
    }

    // Disposes destination: its last write (and a broken pipe there) is part of the export.
    private static async Task<LayerProgress> ExportAsync(CliConsole console, string path, IReadOnlyList<string> parents, Stream destination, bool gzip, LayerTarDigests? digests, CancellationToken cancellationToken)
    {
        Stream blob = digests is null ? destination : digests.Blob = new DigestingStream(destination);
        await using Stream buffered = new BufferedStream(blob, BufferSize);
        Stream compressed = gzip ? new GZipStream(buffered, CompressionLevel.Optimal) : buffered;
        await using Stream tar = digests is null ? compressed : digests.Tar = new DigestingStream(compressed);
        using TerminalProgress? terminal = TerminalProgress.For(console, "exporting");
        var progress = new ProgressTally(terminal);
        await OciLayer.ExportLayerToTarAsync(tar, path, parents, LayerStore.Default, progress, cancellationToken);
        return progress.Last;
    }

    private static Stream StandardOutput(CliConsole console)
    {
        // A binary tar on a terminal garbles it and helps no one, as gzip and tar refuse too.
        if (console.OutputIsTerminal)
        {
            throw new UsageException("refusing to write a tar to a terminal; use -o <file> or redirect standard output (> layer.tar, | ...)");
        }

        return console.OpenStandardOutput?.Invoke() ?? throw new UsageException("standard output is not available; use -o <file>");
    }
}
