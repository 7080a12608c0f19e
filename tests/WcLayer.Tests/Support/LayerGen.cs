using CsCheck;
using WcLayer.Win32;

namespace WcLayer.Tests.Support;

/// <summary>One entry of a generated layer, in the canonical stream order (security, EAs, reparse, data, streams).</summary>
public sealed record GenEntry(
    string Kind, // dir, file, symlink, junction, link, tombstone
    string Name,
    FileBasicInfo Info,
    byte[]? SecurityDescriptor,
    ExtendedAttribute[] ExtendedAttributes,
    byte[] Data,
    (string Name, byte[] Data)[] Streams,
    string? Target);

/// <summary>CsCheck generators of Windows layers.</summary>
public static class LayerGen
{
    private static readonly Gen<string> Component =
        Gen.OneOf(
            Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789 _-.()"], 1, 12],
            Gen.String[Gen.Char["aé中ü x"], 1, 6].Select(Gen.Bool, (t, emoji) => emoji ? t + "😀" : t),
            Gen.String[Gen.Char["ABCDEFGHIJ"], 90, 110])
        .Where(c => c != "." && c != ".." && !c.StartsWith(".wh.", StringComparison.Ordinal) && c.Trim().Length > 0);

    private static readonly Gen<long> Time = Gen.OneOf(Gen.Const(0L), Gen.Long[1, 2_650_467_743_999_999_999L], Gen.Const(FileTime.UnixEpoch));

    private static readonly Gen<FileAttributes> FileAttrs =
        Gen.Int[0, 15].Select(i => (FileAttributes)(i & 0x7) | ((i & 8) != 0 ? FileAttributes.Archive : 0));

    // Valid self-relative descriptors only: importers refuse malformed ones, as Windows' BackupWrite does.
    private static readonly Gen<byte[]?> Sd = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 4].Select(i => new[] { "BA", "SY", "BU", "WD", "S-1-5-21-1-2-3-1001" }[i]), Gen.UInt, Gen.Bool)
        .Select((kind, owner, mask, protectedDacl) => kind == 0
            ? null
            : WcLayer.Win32.SecurityDescriptor.ParseSddl(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"O:{owner}G:SYD:{(protectedDacl ? "P" : string.Empty)}(A;;0x{mask & 0x1F01FF:x};;;BU)(A;OICI;FA;;;{owner})")).ToBinary());

    private static readonly Gen<ExtendedAttribute[]> Eas =
        Gen.Dictionary(Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZ$._"], 1, 20], Gen.Byte.Array[0, 40])[0, 3]
            .Select(d => d.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new ExtendedAttribute(kv.Key, kv.Value)).ToArray());

    private static readonly Gen<(string, byte[])[]> Streams =
        Gen.Dictionary(Gen.String[Gen.Char["abcxyz0123"], 1, 8], Gen.Byte.Array[0, 300])[0, 2]
            .Select(d => d.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToArray());

    public static readonly Gen<List<GenEntry>> Layer =
        Gen.Int[1, 25].SelectMany(count => Gen.Select(Time, Time, Time, Time, FileAttrs, Sd, Eas, Streams)
            .SelectMany(t => Gen.Select(Gen.Int[0, 9], Component, Gen.Byte.Array[0, 3000], Gen.Int[0, 1000], Component)
                .Select(u => (t, u)))
            .List[count, count])
        .Select(items =>
        {
            var entries = new List<GenEntry>();
            var dirs = new List<string> { "Files" };
            var files = new List<string>();
            var names = new HashSet<string>(StringComparer.Ordinal) { "Files" };
            entries.Add(new GenEntry("dir", "Files", new FileBasicInfo(1, 2, 3, 4, FileAttributes.Directory), null, [], [], [], null));
            foreach (var ((c, a, w, ch, attrs, sd, eas, streams), (kind, component, data, pick, target)) in items)
            {
                string parent = dirs[pick % dirs.Count];
                string name = parent + "\\" + component;
                if (!names.Add(name))
                {
                    continue;
                }

                var info = new FileBasicInfo(c, a, w, ch, attrs);
                switch (kind)
                {
                    case 0 or 1:
                        dirs.Add(name);
                        entries.Add(new GenEntry("dir", name, info with { FileAttributes = attrs | FileAttributes.Directory }, sd, eas, [], streams, null));
                        break;
                    case 2:
                        entries.Add(new GenEntry("symlink", name, info with { FileAttributes = attrs | FileAttributes.ReparsePoint }, sd, eas, [], [], target));
                        break;
                    case 3:
                        entries.Add(new GenEntry("junction", name, info with { FileAttributes = attrs | FileAttributes.ReparsePoint | FileAttributes.Directory }, sd, [], [], [], "C:\\" + target));
                        break;
                    case 4 when files.Count > 0:
                        entries.Add(new GenEntry("link", name, info, null, [], [], [], files[pick % files.Count]));
                        break;
                    case 5:
                        entries.Add(new GenEntry("tombstone", name, default, null, [], [], [], null));
                        break;
                    default:
                        files.Add(name);
                        entries.Add(new GenEntry("file", name, info, sd, eas, data, streams, null));
                        break;
                }
            }

            return entries;
        });

    public static MemoryLayer Build(IEnumerable<GenEntry> entries)
    {
        using var writer = new MemoryLayerWriter();
        foreach (GenEntry e in entries)
        {
            switch (e.Kind)
            {
                case "tombstone":
                    writer.Remove(e.Name);
                    continue;
                case "link":
                    writer.AddLink(e.Name, e.Target!);
                    continue;
            }

            writer.Add(e.Name, e.Info);
            using var stream = new MemoryStream();
            using (var backup = new BackupStreamWriter(stream, leaveOpen: true))
            {
                if (e.SecurityDescriptor is { } sd)
                {
                    backup.WriteStream(BackupStreamId.SecurityData, sd);
                }

                if (e.ExtendedAttributes.Length > 0)
                {
                    backup.WriteStream(BackupStreamId.ExtendedAttributes, ExtendedAttributeList.Encode(e.ExtendedAttributes));
                }

                if (e.Kind is "symlink" or "junction")
                {
                    backup.WriteStream(BackupStreamId.ReparseData, ReparsePoint.Create(e.Target!, e.Kind == "junction").Buffer.Span);
                }

                if (e.Kind == "file")
                {
                    backup.WriteStream(BackupStreamId.Data, e.Data);
                }

                foreach ((string name, byte[] data) in e.Streams)
                {
                    backup.WriteStream(BackupStreamId.AlternateData, data, ":" + name + ":$DATA");
                }
            }

            writer.Write(stream.ToArray());
        }

        writer.Commit();
        return writer.Committed!;
    }
}
