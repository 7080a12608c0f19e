using System.CommandLine;
using WcLayer.Images;

namespace WcLayer.Cli;

/// <summary><c>wclayer image commit &lt;image&gt; &lt;layer&gt; &lt;output&gt;</c>: a layer's diff as a new image on a base image.</summary>
internal static class ImageCommitCommand
{
    private const string Name = "image commit";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var image = new Argument<string>("image") { Description = "The base image: an OCI layout folder, an OCI archive or a docker save archive. Its non-foreign layer blobs are copied to a new output." };
        var layer = new Argument<string>("layer") { Description = "The layer whose diff becomes the new top layer (a scratch layer made on the unpacked base image)." };
        var output = new Argument<string>("output") { Description = "The new image: an OCI layout folder (an existing one gains the image; the base layout itself is updated in place) or, with --format docker, an archive file." };
        Option<string[]> parents = LayerOptions.Parents("A parent of the layer: repeat it, immediate parent first (what 'wclayer image unpack' printed). Default: the layer's recorded chain.");
        var tag = new Option<string>("--tag", "-t") { Description = "The new image's tag (index annotation org.opencontainers.image.ref.name; RepoTags in a docker archive)." };
        var compression = new Option<LayerCompression>("--compression") { Description = "The new layer's compression.", DefaultValueFactory = _ => LayerCompression.Gzip };
        var format = new Option<string>("--format") { Description = "oci (a layout folder) or docker (a docker save archive that is also an OCI archive). Default: docker when the output ends in .tar, else oci." };
        var createdBy = new Option<string>("--created-by") { Description = "The history entry's created_by." };
        var selection = new ImageOptions();
        var command = new Command("commit", "Write a new image: the base image plus the layer's diff as its top layer (compressed, digest and diff_id in one pass), " +
            "the config's diff_ids and history extended, os/os.version/architecture and the base layers (foreign ones too) kept. Prints the new manifest digest.")
        {
            image,
            layer,
            output,
            parents,
            tag,
            compression,
            format,
            createdBy,
        };
        selection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), async () =>
        {
            string outputPath = parseResult.GetValue(output)!;
            var options = new ImageCommitOptions
            {
                Compression = parseResult.GetValue(compression),
                OutputFormat = OutputFormat(parseResult.GetValue(format), outputPath),
                Tag = parseResult.GetValue(tag),
                CreatedBy = parseResult.GetValue(createdBy),
            };
            IReadOnlyList<string> parentPaths = LayerOptions.Normalize(parseResult.GetValue(parents), Name, needOne: false);
            using OciImage baseImage = await OciImage.OpenAsync(parseResult.GetValue(image)!, selection.Selector(parseResult), cancellationToken);
            using TerminalProgress? progress = TerminalProgress.For(console, "committing");
            CommittedImage committed = await ImageCommitter.CommitLayerAsync(baseImage, Path.GetFullPath(parseResult.GetValue(layer)!), parentPaths, outputPath, LayerStore.Default, options, progress, cancellationToken);
            progress?.Dispose();
            await console.Output.WriteLineAsync(committed.Manifest.Digest.ToString());
        }));
        return command;
    }

    /// <summary>The output format from <c>--format</c>, or from the output's name.</summary>
    public static ImageFormat OutputFormat(string? format, string output) => format switch
    {
        null => output.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) ? ImageFormat.DockerArchive : ImageFormat.OciLayout,
        "oci" => ImageFormat.OciLayout,
        "docker" => ImageFormat.DockerArchive,
        _ => throw new UsageException($"--format must be oci or docker, not '{format}'"),
    };
}
