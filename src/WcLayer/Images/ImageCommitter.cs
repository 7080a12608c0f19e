using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using WcLayer.Oci;

namespace WcLayer.Images;

/// <summary>
/// Makes a new image from a base image and one new layer on top: the layer tar is compressed, its blob digest, size
/// and <c>diff_id</c> computed in one streaming pass; the config gains the <c>diff_id</c> and a <c>history</c> entry
/// (every other field, <c>os.version</c> included, is kept); the manifest gains the layer descriptor and keeps the
/// base descriptors (foreign ones included, without their blobs). Written as an OCI layout or a docker archive.
/// </summary>
public static class ImageCommitter
{
    /// <summary>Commits the diff of a layer of a store (for a scratch layer: its changes) as a new image on <paramref name="baseImage"/>.</summary>
    /// <param name="baseImage">The image the layer was made on.</param>
    /// <param name="layerPath">The layer (typically a scratch layer on the base image's unpacked layers).</param>
    /// <param name="parentLayerPaths">Its parents, immediate parent first (the base image's chain).</param>
    /// <param name="output">The OCI layout folder or archive file to write.</param>
    /// <param name="store">The store; <see langword="null"/> for <see cref="LayerStore.Default"/>.</param>
    /// <param name="options">Compression, format, tag, history; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Reports each entry of the layer.</param>
    /// <param name="cancellationToken">Cancels; nothing of the new image is left.</param>
    /// <returns>What was written.</returns>
    public static Task<CommittedImage> CommitLayerAsync(OciImage baseImage, string layerPath, IReadOnlyList<string> parentLayerPaths, string output, ILayerStore? store = null, ImageCommitOptions? options = null, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layerPath);
        ArgumentNullException.ThrowIfNull(parentLayerPaths);
        return CommitAsync(baseImage, (tar, ct) => OciLayer.ExportLayerToTarAsync(tar, layerPath, parentLayerPaths, store, progress, ct), output, options, cancellationToken);
    }

    /// <summary>Commits a layer tar, written by <paramref name="writeLayerTar"/>, as a new image on <paramref name="baseImage"/>.</summary>
    /// <param name="baseImage">The base image.</param>
    /// <param name="writeLayerTar">Writes the uncompressed layer tar into the stream it is given.</param>
    /// <param name="output">The OCI layout folder or archive file to write.</param>
    /// <param name="options">Compression, format, tag, history; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels; nothing of the new image is left.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="InvalidDataException">A base blob that is needed (not foreign) is absent or corrupt.</exception>
    public static async Task<CommittedImage> CommitAsync(OciImage baseImage, Func<Stream, CancellationToken, Task> writeLayerTar, string output, ImageCommitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseImage);
        ArgumentNullException.ThrowIfNull(writeLayerTar);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new ImageCommitOptions();
        using Activity? activity = WcLayerActivitySource.Source.StartActivity("CommitImage");
        activity?.SetTag("image", baseImage.Location);
        activity?.SetTag("output", output);
        using ImageOutput target = ImageOutput.Create(output, options.OutputFormat);
        LayerBlob blob;
        Stream staged = target.CreateLayerBlob();
        await using (staged.ConfigureAwait(false))
        {
            blob = await LayerBlob.WriteAsync(writeLayerTar, staged, options.Compression, cancellationToken).ConfigureAwait(false);
        }

        target.KeepLayerBlob(blob.Descriptor);
        DateTimeOffset created = options.Created ?? DateTimeOffset.UtcNow;
        byte[] config = Json.Serialize(NewConfig(baseImage, blob.DiffId, created, options));
        var configDescriptor = new ImageDescriptor(ImageMediaTypes.OciConfig, Digest.ComputeSha256(config), config.Length);
        List<ImageDescriptor> layers = [.. baseImage.Layers.Select(l => l.Descriptor with { MediaType = ImageMediaTypes.ToOciLayer(l.Descriptor.MediaType) }), blob.Descriptor];
        byte[] manifest = Json.Serialize(NewManifest(baseImage, configDescriptor, layers));
        var manifestDescriptor = new ImageDescriptor(ImageMediaTypes.OciManifest, Digest.ComputeSha256(manifest), manifest.Length)
        {
            Platform = baseImage.Platform,
            Annotations = options.Tag is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [ImageDescriptor.RefNameAnnotation] = options.Tag },
        };
        await target.FinishAsync(baseImage, layers, config, configDescriptor, manifest, manifestDescriptor, options.Tag, cancellationToken).ConfigureAwait(false);
        return new CommittedImage(Path.GetFullPath(output), manifestDescriptor, configDescriptor, blob.Descriptor, blob.DiffId);
    }

    private static JsonObject NewConfig(OciImage baseImage, Digest diffId, DateTimeOffset created, ImageCommitOptions options)
    {
        JsonObject config = baseImage.Config;
        string time = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture);
        config["created"] = time;
        JsonObject rootfs = Json.Object(config["rootfs"], "config: rootfs");
        Json.Array(rootfs, "diff_ids", "config: rootfs").Add((JsonNode)JsonValue.Create(diffId.ToString()));
        if (config["history"] is not JsonArray history)
        {
            // The spec pairs history entries with the non-empty layers: give the base layers anonymous ones.
            history = new JsonArray([.. baseImage.Layers.Select(_ => (JsonNode)new JsonObject { ["created_by"] = string.Empty })]);
            config["history"] = history;
        }

        var entry = new JsonObject { ["created"] = time, ["created_by"] = options.CreatedBy ?? "wclayer image commit" };
        if (options.Comment is { } comment)
        {
            entry["comment"] = comment;
        }

        history.Add((JsonNode)entry);
        return config;
    }

    private static JsonObject NewManifest(OciImage baseImage, ImageDescriptor config, IReadOnlyList<ImageDescriptor> layers)
    {
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ImageMediaTypes.OciManifest,
            ["config"] = config.ToJson(),
            ["layers"] = new JsonArray([.. layers.Select(l => (JsonNode)l.ToJson())]),
        };
        if (baseImage.ManifestJson["annotations"] is JsonObject annotations)
        {
            manifest["annotations"] = annotations.DeepClone();
        }

        return manifest;
    }
}
