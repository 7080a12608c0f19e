using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// The portable store's plain <c>Files/</c> tree (store format 2), which overlayfs can stack: regular files with their
/// data, directories, reparse points as symbolic links, each entry's Windows metadata in extended attributes, and
/// deletions mirrored as overlay whiteouts (character devices 0/0) and opaque directories.
/// </summary>
/// <remarks>
/// <para>Linux refuses <c>user.*</c> attributes on symbolic links, so a link's metadata is kept in <c>trusted.*</c>
/// attributes, which overlayfs copies up with it; those need root in the machine's own user namespace
/// (<c>CAP_SYS_ADMIN</c> there). Without it, a reparse point stays a placeholder (an empty file or directory holding
/// the metadata in <c>user.*</c> attributes, as in <c>UtilityVM/</c>).</para>
/// <para>Whiteouts and opaque marks are written by root, also root of an unprivileged user namespace (rootless
/// container tools): an opaque directory carries <c>user.overlay.opaque</c>, which an overlay mounted with
/// <c>userxattr</c> reads (the only kind such a namespace may mount), and as real root <c>trusted.overlay.opaque</c>
/// too. Without root, tombstones live only in <c>tombstones.txt</c>; such layers are served by the copy modes.</para>
/// </remarks>
internal static class PlainFilesTree
{
    /// <summary>Marks a directory made only to hold a whiteout below it: not an entry of the layer, readers skip it.</summary>
    public const string ImplicitAttribute = "user.wclayer.implicit";

    /// <summary>overlayfs' mark of a directory that hides the same directory of lower layers.</summary>
    public const string OpaqueAttribute = "trusted.overlay.opaque";

    /// <summary>The same mark as an overlay mounted with <c>userxattr</c> reads and writes it (the kind a user namespace may mount).</summary>
    public const string UserOpaqueAttribute = "user.overlay.opaque";

    /// <summary>A symbolic link's 40-byte <c>FILE_BASIC_INFO</c>.</summary>
    public const string LinkBasicInfoAttribute = "trusted.wclayer.basicinfo";

    /// <summary>A symbolic link's backup stream (reparse data, security descriptor, EAs).</summary>
    public const string LinkStreamsAttribute = "trusted.wclayer.streams";

    /// <summary>The blob holding a symbolic link's backup stream when it is too large for <see cref="LinkStreamsAttribute"/>.</summary>
    public const string LinkStreamsBlobAttribute = "trusted.wclayer.streams-blob";

    /// <summary>Whether this process may write whiteouts and opaque marks: it runs as root, maybe of a user namespace.</summary>
    public static bool CanStack { get; } = !OperatingSystem.IsWindows() && Interop.Libc.geteuid() == 0;

    /// <summary>
    /// Whether this process may write <c>trusted.*</c> attributes (links' metadata, the opaque mark of an overlay
    /// mounted without <c>userxattr</c>): it is root of the machine's own user namespace.
    /// </summary>
    public static bool CanWriteTrusted { get; } = CanStack && UserNamespace.IsInitial;

    /// <summary>
    /// Clears the way for a new entry: a whiteout at its path goes (a directory then hides the parents' one: opaque);
    /// an implicit directory becomes the new directory's own. Returns whether an existing directory is reused.
    /// </summary>
    public static bool PrepareEntry(UnixLayerRoot root, string name, bool isDirectory, out bool opaque)
    {
        opaque = false;
        LayerFileStatus? existing = root.Stat(name);
        if (existing is { IsWhiteout: true })
        {
            root.Remove(name);
            opaque = isDirectory;
            return false;
        }

        if (existing is { IsDirectory: true } && IsImplicit(root, name))
        {
            if (!isDirectory)
            {
                root.RemoveAll(name);
                return false;
            }

            using SafeFileHandle handle = root.OpenHandle(name, directory: true);
            _ = Interop.Libc.fremovexattr((int)handle.DangerousGetHandle(), ImplicitAttribute);
            return true;
        }

        return false;
    }

    /// <summary>Marks a directory opaque, so the parents' directory of the same name does not show through.</summary>
    public static void MarkOpaque(SafeFileHandle directory, string pathForMessages)
    {
        UnixLayerRoot.WriteAttribute(directory, UserOpaqueAttribute, "y"u8, pathForMessages);
        if (CanWriteTrusted)
        {
            UnixLayerRoot.WriteAttribute(directory, OpaqueAttribute, "y"u8, pathForMessages);
        }
    }

    /// <summary>Whether a directory is only the holder of whiteouts below it.</summary>
    public static bool IsImplicit(UnixLayerRoot root, string name)
    {
        using SafeFileHandle handle = root.OpenHandle(name, directory: true);
        return UnixLayerRoot.ReadAttribute(handle, ImplicitAttribute, root.Describe(name)) is not null;
    }

    /// <summary>
    /// Mirrors a tombstone as overlayfs sees deletions: a whiteout, or for a directory this layer adds itself, an opaque
    /// mark. Missing directories above it are made implicit, with the metadata of the parents' directory.
    /// </summary>
    /// <param name="root">The layer's root.</param>
    /// <param name="parents">The parent layers' roots, immediate parent first.</param>
    /// <param name="name">The tombstone's name.</param>
    /// <param name="made">Gets the name of every whiteout and implicit directory made: the places where a later entry needs <see cref="PrepareEntry"/>.</param>
    public static void MirrorTombstone(UnixLayerRoot root, IReadOnlyList<LayerRoot> parents, string name, ISet<string> made)
    {
        if (!CanStack)
        {
            return;
        }

        string[] parts = name.Split('\\');
        for (int i = 1; i < parts.Length; i++)
        {
            string directory = string.Join('\\', parts, 0, i);
            LayerFileStatus? status = root.Stat(directory);
            if (status is { IsDirectory: true })
            {
                continue;
            }

            if (status is not null)
            {
                // A file, link or whiteout of this layer is above the path: the tombstone hides nothing more.
                return;
            }

            root.CreateDirectory(directory);
            made.Add(directory);
            using SafeFileHandle created = root.OpenHandle(directory, directory: true);
            foreach (LayerRoot parent in parents)
            {
                if (parent.Stat(directory) is { IsDirectory: true })
                {
                    using SafeFileHandle source = parent.OpenHandle(directory, directory: true);
                    parent.CopyMetadata(source, root, created, root.Describe(directory));
                    break;
                }
            }

            UnixLayerRoot.WriteAttribute(created, ImplicitAttribute, "1"u8, root.Describe(directory));
        }

        switch (root.Stat(name))
        {
            case null:
                root.CreateWhiteout(name);
                made.Add(name);
                break;
            case { IsDirectory: true }:
                using (SafeFileHandle handle = root.OpenHandle(name, directory: true))
                {
                    MarkOpaque(handle, root.Describe(name));
                }

                break;
        }
    }

    /// <summary>
    /// Turns a finished placeholder of a symbolic link or junction into a Linux symbolic link whose target resolves
    /// inside the mount (<see cref="MountLinkTarget"/>), with the entry's metadata in <c>trusted.*</c> attributes. A
    /// reparse point that cannot be a link (another tag, an empty or UNC target, data or children) stays a placeholder.
    /// </summary>
    public static void ConvertToLink(UnixLayerRoot root, string name, FileBasicInfo info, bool isDirectory)
    {
        if (!CanWriteTrusted)
        {
            return;
        }

        byte[]? streams;
        using (SafeFileHandle handle = root.OpenHandle(name, directory: isDirectory))
        {
            streams = root.GetStreams(handle, root.Describe(name));
        }

        if (streams is null || HasData(streams, root.Describe(name)) || (isDirectory && root.List(name).Count > 0))
        {
            return;
        }

        ReadOnlySpan<byte> reparseData = StoredStream.Find(streams, BackupStreamId.ReparseData, root.Describe(name));
        if (reparseData.IsEmpty || MountLinkTarget.Translate(name, ReparsePoint.Decode(reparseData)) is not { } target)
        {
            return;
        }

        root.Remove(name);
        root.CreateSymbolicLink(name, target);
        Span<byte> basic = stackalloc byte[FileBasicInfo.BinarySize];
        info.WriteTo(basic);
        root.WriteLinkAttribute(name, LinkBasicInfoAttribute, basic);
        try
        {
            root.WriteLinkAttribute(name, LinkStreamsAttribute, streams);
        }
        catch (LayerPathException e) when (e.ErrorCode == Win32Error.EaTableFull && root.Blobs is { } blobs)
        {
            root.WriteLinkAttribute(name, LinkStreamsBlobAttribute, System.Text.Encoding.ASCII.GetBytes(blobs.Write(streams)));
        }
    }

    /// <summary>A symbolic link's stored metadata, or <see langword="null"/> for a link WcLayer did not make (e.g. one a user made in a mount).</summary>
    public static (FileBasicInfo Info, byte[] Streams)? ReadLink(UnixLayerRoot root, string name)
    {
        if (root.ReadLinkAttribute(name, LinkBasicInfoAttribute) is not { Length: FileBasicInfo.BinarySize } basic)
        {
            return null;
        }

        byte[] streams = root.ReadLinkAttribute(name, LinkStreamsAttribute)
            ?? (root.ReadLinkAttribute(name, LinkStreamsBlobAttribute) is { } reference ? root.ReadBlob(reference, root.Describe(name)) : []);
        return (FileBasicInfo.ReadFrom(basic), streams);
    }

    private static bool HasData(ReadOnlySpan<byte> blob, string pathForMessages)
    {
        for (int offset = 0; offset < blob.Length;)
        {
            StoredStream stream = StoredStream.Read(blob, offset, null, pathForMessages);
            if (stream.HasFileBytes)
            {
                return true;
            }

            offset = stream.End;
        }

        return false;
    }
}
