using System.Buffers;
using WcLayer.Oci;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Portable;

/// <summary>
/// Materializes the merged view of a scratch layer's parents into its mount directory, as the container's <c>C:\</c>
/// would show them: the content of <c>Files\</c> at the root, base layer first, each layer's tombstones applied
/// before its entries, hard links kept, reparse points as symbolic links, plain files a user can edit. Records what
/// it made in <see cref="ViewManifest"/>.
/// </summary>
internal static class ScratchView
{
    public static void Materialize(string mountPath, string scratchPath, IReadOnlyList<string> parents)
    {
        var manifest = new ViewManifest();
        using LayerRoot mount = LayerRoot.Open(mountPath);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            for (int layer = parents.Count - 1; layer >= 0; layer--)
            {
                using TransportLayerReader reader = PortableLayerFiles.OpenReader(parents[layer]);
                var firstNames = new Dictionary<UInt128, string>();
                while (reader.Next() is { } entry)
                {
                    if (entry.Name == TransportPath.Files && entry.FileInfo is { } rootInfo)
                    {
                        using var handle = mount.OpenHandle(string.Empty, directory: true);
                        mount.SetFileTimes(handle, rootInfo);
                        Record(manifest, mount, string.Empty, layer, null);
                        continue;
                    }

                    if (!TransportPath.HasPrefix(entry.Name, TransportPath.Files))
                    {
                        continue;
                    }

                    string path = entry.Name[(TransportPath.Files.Length + 1)..].Replace('\\', '/');
                    if (entry.FileInfo is not { } info)
                    {
                        mount.RemoveAll(path);
                        manifest.RemoveTree(path);
                        continue;
                    }

                    Materialize(mount, reader, path, info, entry.Size, layer, manifest, firstNames, buffer);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        manifest.Write(scratchPath);
    }

    private static void Materialize(LayerRoot mount, TransportLayerReader reader, string path, FileBasicInfo info, long size, int layer, ViewManifest manifest, Dictionary<UInt128, string> firstNames, byte[] buffer)
    {
        LayerFileStatus? existing = mount.Stat(path);
        if (info.IsDirectory && !info.IsReparsePoint)
        {
            if (existing is not { Kind: LayerFileKind.Directory })
            {
                mount.RemoveAll(path);
                manifest.RemoveTree(path);
                mount.CreateDirectory(path);
            }

            using var handle = mount.OpenHandle(path, directory: true);
            mount.SetFileTimes(handle, info);
            Record(manifest, mount, path, layer, null);
            return;
        }

        mount.RemoveAll(path);
        manifest.RemoveTree(path);
        using var streams = new BackupStreamReader(new LayerEntryStream(reader), leaveOpen: true);
        if (info.IsReparsePoint)
        {
            string target = ReadReparseTarget(streams, path);
            mount.CreateSymbolicLink(path, target);
            Record(manifest, mount, path, layer, target);
            return;
        }

        LayerLinkInfo link = reader.GetLinkInfo();
        if (link.NumberOfLinks > 1 && firstNames.TryGetValue(link.FileId, out string? first) && mount.Stat(first) is not null)
        {
            mount.Link(first, mount, path);
            Record(manifest, mount, path, layer, null);
            Record(manifest, mount, first, manifest.Entries[first].Layer, null);
            return;
        }

        firstNames[link.FileId] = path;
        using (FileStream file = mount.CreateFile(path))
        {
            while (streams.ReadNextHeader() is { } h)
            {
                if (h.Id == BackupStreamId.Data || h.Id == BackupStreamId.SparseBlock)
                {
                    file.Position = h.Id == BackupStreamId.SparseBlock ? h.Offset : 0;
                    int n;
                    while ((n = streams.Read(buffer)) > 0)
                    {
                        file.Write(buffer, 0, n);
                    }
                }
            }

            if (file.Length < size)
            {
                // A sparse file whose last range is a hole.
                file.SetLength(size);
            }

            mount.SetFileTimes(file.SafeFileHandle, info);
        }

        Record(manifest, mount, path, layer, null);
    }

    private static string ReadReparseTarget(BackupStreamReader streams, string path)
    {
        while (streams.ReadNextHeader() is { } h)
        {
            if (h.Id == BackupStreamId.ReparseData)
            {
                ReparsePoint reparse = ReparsePoint.Decode(streams.ReadToEnd(64 * 1024));
                string target = reparse.Target ?? string.Empty;
                // Relative targets work inside the view; absolute Windows ones (C:\…) are kept as written and dangle.
                return reparse.IsRelative ? target.Replace('\\', '/') : target;
            }
        }

        throw new InvalidDataException($"{path}: the entry is marked as a reparse point but has no reparse data.");
    }

    private static void Record(ViewManifest manifest, LayerRoot mount, string path, int layer, string? linkTarget)
    {
        LayerFileStatus status = mount.Stat(path) ?? throw new LayerPathException("stat", mount.Describe(path), Win32Error.FileNotFound);
        manifest.Entries[path] = new ViewEntry(layer, status.Kind, status.FileId, status.IsDirectory ? 0 : status.Size, status.LastWriteTime, status.ChangeTime, linkTarget);
    }
}
