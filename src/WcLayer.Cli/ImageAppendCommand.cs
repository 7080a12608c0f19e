using System.CommandLine;
using WcLayer.Images;

namespace WcLayer.Cli;

/// <summary><c>wclayer image append &lt;image&gt; &lt;file-or-dir&gt;... --dest C:\app</c>: local files as a new top layer (a Linux build machine's COPY).</summary>
internal static class ImageAppendCommand
{
    private const string Name = "image append";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var image = new Argument<string>("image") { Description = "The base image: an OCI layout folder (updated in place unless --output), an OCI archive or a docker save archive." };
        var sources = new Argument<string[]>("file-or-dir") { Description = "Local files and folders; a folder's contents go into --dest, a file keeps its name.", Arity = ArgumentArity.OneOrMore };
        var destination = new Option<string>("--dest", "-d") { Description = "The container folder, e.g. 'C:\\app'; it and its parents are added.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the new image: an OCI layout folder, or an archive (.tar or --format docker). Default: the base image's layout folder." };
        var tag = new Option<string>("--tag", "-t") { Description = "The new image's tag." };
        var compression = new Option<LayerCompression>("--compression") { Description = "The new layer's compression.", DefaultValueFactory = _ => LayerCompression.Gzip };
        var format = new Option<string>("--format") { Description = "oci or docker. Default: docker when the output ends in .tar, else oci." };
        var inherit = new Option<bool>("--inherit") { Description = "Security descriptors inherited from the destination's folders in the base image, as a COPY on Windows (reads the base layers; their blobs must be there). Default: BuildKit's." };
        var selection = new ImageOptions();
        var command = new Command("append", "Add local files to an image as a new layer with the metadata a Windows COPY gives: Files/ and Hives/, every parent " +
            "of the destination, attributes, times, BuildKit's default security descriptors, symbolic links as reparse points. Needs only the base's manifest and " +
            "config (its layer blobs only to copy them to another output). Prints the new manifest digest.")
        {
            image,
            sources,
            destination,
            output,
            tag,
            compression,
            format,
            inherit,
        };
        selection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), async () =>
        {
            string imagePath = parseResult.GetValue(image)!;
            string outputPath = parseResult.GetValue(output)
                ?? (Directory.Exists(imagePath) ? imagePath : throw new UsageException("the base image is an archive: give the new image's place with --output"));
            var options = new ImageCommitOptions
            {
                Compression = parseResult.GetValue(compression),
                OutputFormat = ImageCommitCommand.OutputFormat(parseResult.GetValue(format), outputPath),
                Tag = parseResult.GetValue(tag),
            };
            using OciImage baseImage = await OciImage.OpenAsync(imagePath, selection.Selector(parseResult), cancellationToken);
            CommittedImage committed;
            try
            {
                var appendOptions = new ImageAppendOptions { InheritSecurity = parseResult.GetValue(inherit) };
                committed = await ImageAppender.AppendAsync(baseImage, parseResult.GetValue(sources)!, parseResult.GetValue(destination)!, outputPath, options, appendOptions, cancellationToken);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            await console.Output.WriteLineAsync(committed.Manifest.Digest.ToString());
        }));
        return command;
    }
}
