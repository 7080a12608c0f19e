using WcLayer.Oci;

namespace WcLayer.Images;

/// <summary>
/// The Linux build machine's <c>COPY</c>: local files become a new top layer of a Windows image, with the metadata
/// a Windows import needs. Only the base image's manifest and config are read; its layer blobs are needed only when
/// they must be copied to a different output (foreign layers never are).
/// </summary>
public static class ImageAppender
{
    /// <summary>Adds <paramref name="sources"/> under <paramref name="destination"/> as a new layer and writes the new image.</summary>
    /// <param name="baseImage">The base image.</param>
    /// <param name="sources">Local files and folders: a folder's contents go into the destination, a file keeps its name.</param>
    /// <param name="destination">The container folder, e.g. <c>C:\app</c>; it and its parents are added as folders.</param>
    /// <param name="output">The OCI layout folder (the base's own to add the image in place) or, with <see cref="ImageFormat.DockerArchive"/>, the archive.</param>
    /// <param name="options">Compression, format, tag, history; <see langword="null"/> for the defaults.</param>
    /// <param name="appendOptions">Security descriptors: BuildKit's defaults unless inheritance is asked for; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels; nothing of the new image is left.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="ArgumentException">The destination is not an absolute path on <c>C:</c>.</exception>
    /// <exception cref="InvalidDataException">A local name Windows cannot hold, a name two sources both add, an absolute symbolic link, or (inheriting) a base layer blob that is absent or corrupt.</exception>
    public static async Task<CommittedImage> AppendAsync(OciImage baseImage, IReadOnlyList<string> sources, string destination, string output, ImageCommitOptions? options = null, ImageAppendOptions? appendOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseImage);
        ArgumentNullException.ThrowIfNull(sources);
        IReadOnlyList<string> folder = ContainerPath.Split(destination);
        options ??= new ImageCommitOptions();
        DateTimeOffset created = options.Created ?? DateTimeOffset.UtcNow;
        var commitOptions = new ImageCommitOptions
        {
            Compression = options.Compression,
            OutputFormat = options.OutputFormat,
            Tag = options.Tag,
            Comment = options.Comment,
            Created = created,
            CreatedBy = options.CreatedBy ?? $"COPY {string.Join(' ', sources.Select(Path.GetFileName))} {destination}",
        };
        AppendSecurity security = appendOptions?.InheritSecurity == true
            ? await AppendSecurity.InheritFromAsync(baseImage, folder, appendOptions.ReadOptions, cancellationToken).ConfigureAwait(false)
            : AppendSecurity.BuildKitDefaults;
        return await ImageCommitter.CommitAsync(
            baseImage,
            async (tar, ct) =>
            {
                using var reader = new LocalFilesLayerReader(sources, folder, created, security);
                await OciLayer.WriteTarFromLayerAsync(reader, tar, progress: null, ct).ConfigureAwait(false);
            },
            output,
            commitOptions,
            cancellationToken).ConfigureAwait(false);
    }
}
