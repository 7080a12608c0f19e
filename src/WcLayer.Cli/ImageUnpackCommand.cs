using System.CommandLine;
using System.Text.Json;
using WcLayer.Images;

namespace WcLayer.Cli;

/// <summary><c>wclayer image unpack &lt;image&gt; &lt;store-dir&gt;</c>: imports an image's layers and prints the chain for <c>-l</c>.</summary>
internal static class ImageUnpackCommand
{
    private const string Name = "image unpack";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var image = new Argument<string>("image") { Description = "An OCI image layout folder, an OCI archive or a docker save archive." };
        var store = new Argument<string>("store-dir") { Description = "The folder of layer folders (one per diff_id, shared between images); created if needed." };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object (layers with diff_id, digest, path, imported)." };
        var selection = new ImageOptions();
        var command = new Command("unpack", "Import every layer of an image into a store folder, each on its parents; layers already there are shared, not imported again. " +
            "Prints the layer folders top layer first, the order 'wclayer create -l' takes them. Nothing of a failed layer is left behind.")
        {
            image,
            store,
            json,
        };
        selection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), async () =>
        {
            using OciImage opened = await OciImage.OpenAsync(parseResult.GetValue(image)!, selection.Selector(parseResult), cancellationToken);
            using TerminalProgress? progress = TerminalProgress.For(console, "unpacking");
            IProgress<ImageProgress>? imageProgress = progress is null ? null : new Progress<ImageProgress>(p =>
            {
                if (p.Entry is { } entry)
                {
                    progress.Report(entry);
                }
            });
            UnpackedImage unpacked = await ImageUnpacker.UnpackAsync(opened, parseResult.GetValue(store)!, LayerStore.Default, progress: imageProgress, cancellationToken: cancellationToken);
            progress?.Dispose();
            if (parseResult.GetValue(json))
            {
                await WriteJsonAsync(console.Output, opened, unpacked);
            }
            else
            {
                foreach (string path in unpacked.Chain)
                {
                    await console.Output.WriteLineAsync(path);
                }
            }
        }));
        return command;
    }

    private static async Task WriteJsonAsync(TextWriter output, OciImage image, UnpackedImage unpacked)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("image", image.Location);
            writer.WriteString("manifest", image.ManifestDescriptor?.Digest.ToString());
            writer.WriteString("config", image.ConfigDescriptor.Digest.ToString());
            writer.WriteString("platform", image.Platform?.ToString());
            writer.WriteStartArray("chain");
            foreach (string path in unpacked.Chain)
            {
                writer.WriteStringValue(path);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("layers");
            foreach (UnpackedLayer layer in unpacked.Layers)
            {
                writer.WriteStartObject();
                writer.WriteNumber("index", layer.Layer.Index);
                writer.WriteString("diffId", layer.Layer.DiffId.ToString());
                writer.WriteString("digest", layer.Layer.Descriptor.Digest.ToString());
                writer.WriteString("mediaType", layer.Layer.Descriptor.MediaType);
                writer.WriteString("path", layer.Path);
                writer.WriteBoolean("imported", layer.Imported);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
