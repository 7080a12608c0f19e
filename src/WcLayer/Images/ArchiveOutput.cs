using System.Formats.Tar;
using System.Text.Json.Nodes;

namespace WcLayer.Images;

/// <summary>
/// Writes a docker archive that is also an OCI archive, as Docker 25+ <c>docker save</c> does: <c>manifest.json</c>
/// for <c>docker load</c> and <c>docker-archive:</c>, <c>index.json</c> and <c>oci-layout</c> for OCI tools, one
/// set of blobs under <c>blobs/sha256/</c>. The archive appears only once complete.
/// </summary>
internal sealed class ArchiveOutput : ImageOutput
{
    private readonly string _path;
    private readonly string _stagedLayer;
    private readonly string _stagedArchive;

    public ArchiveOutput(string path)
    {
        _path = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(folder);
        _stagedLayer = Path.Combine(folder, $".wclayer-{Guid.NewGuid():N}.layer.tmp");
        _stagedArchive = Path.Combine(folder, $".wclayer-{Guid.NewGuid():N}.tar.tmp");
    }

    public override Stream CreateLayerBlob() =>
        new FileStream(_stagedLayer, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16);

    public override void KeepLayerBlob(ImageDescriptor descriptor)
    {
    }

    public override async Task FinishAsync(OciImage baseImage, IReadOnlyList<ImageDescriptor> layers, byte[] config, ImageDescriptor configDescriptor, byte[] manifest, ImageDescriptor manifestDescriptor, string? tag, CancellationToken cancellationToken)
    {
        DateTimeOffset time = DateTimeOffset.UnixEpoch;
        var file = new FileStream(_stagedArchive, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        await using (file.ConfigureAwait(false))
        {
            var writer = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                async Task AddAsync(string name, Stream data)
                {
                    await using (data.ConfigureAwait(false))
                    {
                        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, ModificationTime = time, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead };
                        await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                    }
                }

                await AddAsync("oci-layout", new MemoryStream(OciLayoutOutput.LayoutBytes)).ConfigureAwait(false);
                var sources = new JsonObject();
                for (int i = 0; i < layers.Count; i++)
                {
                    ImageDescriptor layer = layers[i];
                    Stream? blob = i < baseImage.Layers.Count ? OpenBaseBlob(baseImage, layer) : File.OpenRead(_stagedLayer);
                    if (blob is null)
                    {
                        // Docker's own way to carry a foreign layer it does not ship: described in LayerSources.
                        sources[baseImage.Layers[i].DiffId.ToString()] = layer.ToJson();
                        continue;
                    }

                    // A verified base blob is forward-only: the writer goes back to the header for its size (the archive is a
                    // file), and the digest is checked when the copy reaches the end, before the archive appears.
                    await AddAsync(layer.Digest.BlobPath, blob).ConfigureAwait(false);
                }

                await AddAsync(configDescriptor.Digest.BlobPath, new MemoryStream(config)).ConfigureAwait(false);
                await AddAsync(manifestDescriptor.Digest.BlobPath, new MemoryStream(manifest)).ConfigureAwait(false);
                var index = new JsonObject
                {
                    ["schemaVersion"] = 2,
                    ["mediaType"] = ImageMediaTypes.OciIndex,
                    ["manifests"] = new JsonArray(manifestDescriptor.ToJson()),
                };
                await AddAsync("index.json", new MemoryStream(Json.Serialize(index))).ConfigureAwait(false);
                var entry = new JsonObject
                {
                    ["Config"] = configDescriptor.Digest.BlobPath,
                    ["RepoTags"] = tag is null ? new JsonArray() : new JsonArray(tag.Contains(':', StringComparison.Ordinal) ? tag : tag + ":latest"),
                    ["Layers"] = new JsonArray([.. layers.Select(l => (JsonNode)JsonValue.Create(l.Digest.BlobPath))]),
                };
                if (sources.Count > 0)
                {
                    entry["LayerSources"] = sources;
                }

                await AddAsync("manifest.json", new MemoryStream(Json.Serialize(new JsonArray(entry)))).ConfigureAwait(false);
            }
        }

        File.Move(_stagedArchive, _path, overwrite: true);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            File.Delete(_stagedLayer);
            File.Delete(_stagedArchive);
        }

        base.Dispose(disposing);
    }
}
