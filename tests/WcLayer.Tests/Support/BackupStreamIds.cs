using WcLayer.Win32;

namespace WcLayer.Tests.Support;

/// <summary>What a layer reader's current entry holds: the ids of its backup streams, in order.</summary>
public static class BackupStreamIds
{
    public static List<BackupStreamId> Of(ILayerReader reader)
    {
        using var bytes = new MemoryStream();
        byte[] buffer = new byte[65536];
        for (int n; (n = reader.Read(buffer)) > 0;)
        {
            bytes.Write(buffer, 0, n);
        }

        bytes.Position = 0;
        using var streams = new BackupStreamReader(bytes, leaveOpen: true);
        var ids = new List<BackupStreamId>();
        while (streams.ReadNextHeader() is { } header)
        {
            ids.Add(header.Id);
        }

        return ids;
    }
}
