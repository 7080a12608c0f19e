using System.Diagnostics;
using WcLayer.Oci;

namespace WcLayer.Images;

/// <summary>
/// Imports an image's layers into a layer store folder: one layer folder per <c>diff_id</c>
/// (<c>&lt;store&gt;/sha256-&lt;hex&gt;</c>), each on its parents, shared by every image unpacked there.
/// </summary>
public static class ImageUnpacker
{
    /// <summary>The folder name of a layer in a store folder: its <c>diff_id</c> with <c>-</c> for <c>:</c> (a Windows file name).</summary>
    /// <param name="diffId">The layer's <c>diff_id</c>.</param>
    /// <returns>The folder name.</returns>
    public static string LayerFolderName(Digest diffId) => $"{diffId.Algorithm}-{diffId.Encoded}";

    /// <summary>
    /// Imports every layer not yet in <paramref name="storeDirectory"/>, base first. Each layer is verified while it
    /// streams (blob digest, <c>diff_id</c>, expansion limits) and committed only once verified: a failure leaves
    /// the layers already imported, complete, and nothing of the failed one.
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="storeDirectory">The folder that holds the layer folders; created if needed.</param>
    /// <param name="store">The layer store; <see langword="null"/> for <see cref="LayerStore.Default"/>.</param>
    /// <param name="options">Limits; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Reports each layer and entry.</param>
    /// <param name="cancellationToken">Cancels between entries; the layer in progress is discarded.</param>
    /// <returns>The layer folders.</returns>
    /// <exception cref="InvalidDataException">A layer is absent, corrupt or hostile (the message names it).</exception>
    public static async Task<UnpackedImage> UnpackAsync(OciImage image, string storeDirectory, ILayerStore? store = null, ImageReadOptions? options = null, IProgress<ImageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(storeDirectory);
        store ??= LayerStore.Default;
        using Activity? activity = WcLayerActivitySource.Source.StartActivity("UnpackImage");
        activity?.SetTag("image", image.Location);
        activity?.SetTag("path", storeDirectory);
        string root = Path.GetFullPath(storeDirectory);
        Directory.CreateDirectory(root);
        var unpacked = new List<UnpackedLayer>(image.Layers.Count);
        var parents = new List<string>();
        foreach (ImageLayer layer in image.Layers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = Path.Combine(root, LayerFolderName(layer.DiffId));
            bool imported = false;
            if (!store.LayerExists(path))
            {
                imported = await ImportAsync(image, layer, path, parents, store, options, progress, cancellationToken).ConfigureAwait(false);
            }

            unpacked.Add(new UnpackedLayer(layer, path, imported));
            parents.Insert(0, path);
        }

        return new UnpackedImage(unpacked);
    }

    private static async Task<bool> ImportAsync(OciImage image, ImageLayer layer, string path, IReadOnlyList<string> parents, ILayerStore store, ImageReadOptions? options, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        int count = image.Layers.Count;
        progress?.Report(new ImageProgress(layer, count, null));
        var entryProgress = progress is null ? null : new Progress<LayerProgress>(p => progress.Report(new ImageProgress(layer, count, p)));
        using LayerContent content = image.OpenLayer(layer, options);
        try
        {
            await OciLayer.ImportLayerFromTarAsync(content.Tar, path, [.. parents], store, entryProgress, content.VerifyToEndAsync, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException && store.LayerExists(path))
        {
            // Another unpack imported the same layer meanwhile: it is shared, as if it had been there.
            return false;
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(layer.ToString(), StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{layer}: {e.Message}", e);
        }
    }
}
