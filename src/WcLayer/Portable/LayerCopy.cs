using System.Buffers;

namespace WcLayer.Portable;

/// <summary>Copies a layer from a reader to a writer; the second and later names of one file become hard links.</summary>
internal static class LayerCopy
{
    public static void Copy(ILayerReader reader, ILayerWriter writer)
    {
        var firstNames = new Dictionary<UInt128, string>();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            while (reader.Next() is { } entry)
            {
                if (entry.FileInfo is not { } info)
                {
                    writer.Remove(entry.Name);
                    continue;
                }

                if (!info.IsDirectory)
                {
                    LayerLinkInfo link = reader.GetLinkInfo();
                    if (link.NumberOfLinks > 1)
                    {
                        if (firstNames.TryGetValue(link.FileId, out string? first))
                        {
                            writer.AddLink(entry.Name, first);
                            continue;
                        }

                        firstNames[link.FileId] = entry.Name;
                    }
                }

                writer.Add(entry.Name, info);
                int n;
                while ((n = reader.Read(buffer)) > 0)
                {
                    writer.Write(buffer.AsSpan(0, n));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
