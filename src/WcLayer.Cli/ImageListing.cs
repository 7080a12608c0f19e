using System.Globalization;
using System.Text.Json;
using WcLayer.Images;

namespace WcLayer.Cli;

/// <summary><c>wclayer ls &lt;image&gt; [--layer N]</c>: an image's layers, or the entries of one of them.</summary>
internal static class ImageListing
{
    private const string Name = "ls";

    /// <summary>Whether <paramref name="path"/> is an image rather than a layer tar or folder: an OCI layout, or a tar with <c>index.json</c> or <c>manifest.json</c> at its root.</summary>
    public static bool IsImage(string path)
    {
        if (Directory.Exists(path))
        {
            return File.Exists(Path.Combine(path, "index.json")) || File.Exists(Path.Combine(path, "manifest.json"));
        }

        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using OciImage image = OciImage.OpenAsync(path).GetAwaiter().GetResult();
            return true;
        }
        catch (InvalidDataException e) when (e.Message.Contains("not an image", StringComparison.Ordinal))
        {
            return false;
        }
        catch (InvalidDataException)
        {
            // An image, but a broken or ambiguous one: listing it reports why.
            return true;
        }
    }

    /// <summary>Lists the layers of the image, or with <paramref name="layerArguments"/> (the <c>--layer</c> values) the entries of layer N.</summary>
    public static async Task<int> RunAsync(CliConsole console, string path, ImageSelector selector, string[]? layerArguments, bool json, bool verbose, CancellationToken cancellationToken)
    {
        int? index = null;
        if (layerArguments is { Length: > 0 })
        {
            if (layerArguments.Length > 1 || !int.TryParse(layerArguments[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                await CommandRunner.ReportAsync(console, Name, verbose, new UsageException("for an image, --layer takes one layer number (0 is the base layer)"));
                return 1;
            }

            index = n;
        }

        if (index is { } layerIndex)
        {
            OciImage? image = null;
            try
            {
                return await EntryListing.RunAsync(console, Name, $"{path} layer {layerIndex}", () =>
                {
                    image = OciImage.OpenAsync(path, selector, cancellationToken).GetAwaiter().GetResult();
                    if (layerIndex >= image.Layers.Count)
                    {
                        throw new UsageException($"the image has {image.Layers.Count} layers (0 to {image.Layers.Count - 1})");
                    }

                    return image.OpenLayer(image.Layers[layerIndex]).Tar;
                }, json, verbose, cancellationToken);
            }
            finally
            {
                image?.Dispose();
            }
        }

        return await CommandRunner.RunAsync(console, Name, verbose, async () =>
        {
            using OciImage image = await OciImage.OpenAsync(path, selector, cancellationToken);
            foreach (ImageLayer layer in image.Layers)
            {
                string state = layer.HasBlob ? string.Empty : layer.IsForeign ? " (foreign, blob not in the image)" : " (blob missing)";
                await console.Output.WriteLineAsync(json
                    ? JsonSerializer.Serialize(new Dictionary<string, string>
                    {
                        ["index"] = layer.Index.ToString(CultureInfo.InvariantCulture),
                        ["diffId"] = layer.DiffId.ToString(),
                        ["digest"] = layer.Descriptor.Digest.ToString(),
                        ["mediaType"] = layer.Descriptor.MediaType,
                        ["size"] = layer.Descriptor.Size.ToString(CultureInfo.InvariantCulture),
                        ["blob"] = layer.HasBlob ? "present" : "absent",
                    }, ImageListingJson.Default.DictionaryStringString)
                    : $"{layer.Index,3} {layer.DiffId} {layer.Descriptor.Size,12} {layer.Descriptor.MediaType}{state}");
            }
        });
    }
}
