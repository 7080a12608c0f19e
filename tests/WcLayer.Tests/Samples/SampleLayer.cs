using System.Text;
using WcLayer.Oci;
using WcLayer.Tests.Support;
using WcLayer.Win32;

namespace WcLayer.Tests.Samples;

/// <summary>
/// Builds <c>samples/sample-layer.tar</c>: a small Windows layer that shows every kind of entry and metadata a layer
/// tar can carry. Everything is fixed (times, bytes, order), and the tar writer is deterministic, so the same code
/// always gives the same bytes.
/// </summary>
public static class SampleLayer
{
    /// <summary>The checked-in file, relative to the repository root.</summary>
    public const string RelativePath = "samples/sample-layer.tar";

    /// <summary>BuildKit's security descriptor for files: <c>O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)(A;;0x1200a9;;;BU)</c>.</summary>
    public static readonly byte[] FileSecurityDescriptor = Convert.FromBase64String(
        "AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgBMAAMAAAAAABgA/wEfAAECAAAAAAAFIAAAACACAAAAABQA/wEfAAEBAAAAAAAFEgAAAAAAGACpABIAAQIAAAAAAAUgAAAAIQIAAA==");

    /// <summary>BuildKit's security descriptor for directories (inheritable ACEs for administrators, SYSTEM, users, the creator).</summary>
    public static readonly byte[] DirectorySecurityDescriptor = Convert.FromBase64String(
        "AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgCoAAcAAAAAAxgA/wEfAAECAAAAAAAFIAAAACACAAAAAxQA/wEfAAEBAAAAAAAFEgAAAAAAGAD/AR8AAQIAAAAAAAUgAAAAIAIAAAALFAAAAAAQAQEAAAAAAAMAAAAAAAMYAKkAEgABAgAAAAAABSAAAAAhAgAAAAIYAAQAAAABAgAAAAAABSAAAAAhAgAAAAIYAAIAAAABAgAAAAAABSAAAAAhAgAA");

    /// <summary>Size of the sparse file's main data stream; its only data block starts at <see cref="SparseDataOffset"/>.</summary>
    public const int SparseFileSize = 64 * 1024;

    /// <summary>Where the sparse file's data block starts.</summary>
    public const int SparseDataOffset = 16 * 1024;

    // Creation, last write, last access and change: distinct, with 100 ns digits, so precision loss shows up.
    private static readonly long Created = Time("2021-03-04T05:06:07.1234567Z");
    private static readonly long Written = Time("2022-08-09T10:11:12.7654321Z");
    private static readonly long Accessed = Time("2023-01-02T03:04:05.0000001Z");
    private static readonly long Changed = Time("2022-08-09T10:11:13.5000000Z");

    private const FileAttributes HiddenSystemLink =
        FileAttributes.Directory | FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint | FileAttributes.NotContentIndexed;

    /// <summary>Writes the sample tar.</summary>
    /// <param name="tar">Receives the tar.</param>
    /// <returns>A task that completes when the tar is written.</returns>
    public static async Task WriteAsync(Stream tar)
    {
        MemoryLayer layer = Build();
        using MemoryLayerReader reader = layer.OpenReader();
        await OciLayer.WriteTarFromLayerAsync(reader, tar);
    }

    /// <summary>The sample tar's bytes.</summary>
    /// <returns>The tar.</returns>
    public static async Task<byte[]> CreateAsync()
    {
        using var tar = new MemoryStream();
        await WriteAsync(tar);
        return tar.ToArray();
    }

    /// <summary>Builds the sample as an in-memory layer, in the order a layer export walks it (parents first).</summary>
    /// <returns>The committed layer.</returns>
    public static MemoryLayer Build()
    {
        using var writer = new MemoryLayerWriter();
        Directory(writer, "Files", FileAttributes.Directory);
        Link(writer, @"Files\Documents and Settings", @"C:\Users", HiddenSystemLink, isMountPoint: true);
        Directory(writer, @"Files\Users", FileAttributes.Directory | FileAttributes.ReadOnly);
        Link(writer, @"Files\Users\All Users", "C:\\ProgramData", HiddenSystemLink, isMountPoint: false);
        Directory(writer, @"Files\Users\Public", FileAttributes.Directory | FileAttributes.ReadOnly);
        Link(writer, @"Files\Users\Public\win.ini", @"..\..\Windows\win.ini", FileAttributes.Archive | FileAttributes.ReparsePoint, isMountPoint: false);
        Directory(writer, @"Files\Windows", FileAttributes.Directory);
        File(writer, @"Files\Windows\notepad.exe", FileAttributes.Archive, Text("MZ\u0090\0 not really notepad\r\n"));
        Directory(writer, @"Files\Windows\System32", FileAttributes.Directory);
        writer.AddLink(@"Files\Windows\System32\notepad.exe", @"Files\Windows\notepad.exe");
        Directory(writer, @"Files\Windows\System32\drivers", FileAttributes.Directory);
        Directory(writer, @"Files\Windows\System32\drivers\etc", FileAttributes.Directory);
        File(
            writer,
            @"Files\Windows\System32\drivers\etc\hosts",
            FileAttributes.Archive,
            Text("# Copyright (c) 1993-2009 Microsoft Corp.\r\n127.0.0.1       localhost\r\n"),
            extendedAttributes: [new ExtendedAttribute("$KERNEL.PURGE.APPXFICACHE", new byte[] { 1, 0, 0, 0 }), new ExtendedAttribute("SAMPLE.NOTE", Text("edited by the sample"))]);
        File(
            writer,
            @"Files\Windows\System32\license.rtf",
            FileAttributes.ReadOnly | FileAttributes.Hidden | FileAttributes.System | FileAttributes.Archive,
            Text("{\\rtf1\\ansi Sample license.}\r\n"));
        SparseFile(writer, @"Files\Windows\System32\sparse.dat");
        Directory(writer, @"Files\Windows\Temp", FileAttributes.Directory);
        writer.Remove(@"Files\Windows\Temp\setup.log");
        File(
            writer,
            @"Files\Windows\win.ini",
            FileAttributes.Archive,
            Text("; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n"),
            alternateStreams: [("Zone.Identifier", Text("[ZoneTransfer]\r\nZoneId=3\r\n"))]);
        Directory(writer, "Hives", FileAttributes.Directory, isHive: true);
        foreach (string hive in new[] { "DefaultUser_Delta", "Sam_Delta", "Security_Delta", "Software_Delta", "System_Delta" })
        {
            File(writer, $@"Hives\{hive}", FileAttributes.Archive, Hive(hive), isHive: true);
        }

        writer.Commit();
        return writer.Committed!;
    }

    private static void Directory(ILayerWriter writer, string name, FileAttributes attributes, bool isHive = false)
    {
        writer.Add(name, isHive ? HiveInfo(attributes) : Info(attributes));
        Write(writer, streams =>
        {
            if (!isHive)
            {
                streams.WriteStream(BackupStreamId.SecurityData, DirectorySecurityDescriptor);
            }
        });
    }

    private static void File(
        ILayerWriter writer,
        string name,
        FileAttributes attributes,
        byte[] data,
        ExtendedAttribute[]? extendedAttributes = null,
        (string Name, byte[] Data)[]? alternateStreams = null,
        bool isHive = false)
    {
        writer.Add(name, isHive ? HiveInfo(attributes) : Info(attributes));
        Write(writer, streams =>
        {
            if (!isHive)
            {
                streams.WriteStream(BackupStreamId.SecurityData, FileSecurityDescriptor);
            }

            if (extendedAttributes is not null)
            {
                streams.WriteStream(BackupStreamId.ExtendedAttributes, ExtendedAttributeList.Encode(extendedAttributes));
            }

            streams.WriteStream(BackupStreamId.Data, data);
            foreach ((string streamName, byte[] streamData) in alternateStreams ?? [])
            {
                streams.WriteStream(BackupStreamId.AlternateData, streamData, $":{streamName}:$DATA");
            }
        });
    }

    private static void Link(ILayerWriter writer, string name, string target, FileAttributes attributes, bool isMountPoint)
    {
        writer.Add(name, Info(attributes));
        byte[] sd = (attributes & FileAttributes.Directory) != 0 ? DirectorySecurityDescriptor : FileSecurityDescriptor;
        Write(writer, streams =>
        {
            streams.WriteStream(BackupStreamId.SecurityData, sd);
            streams.WriteStream(BackupStreamId.ReparseData, ReparsePoint.Create(target, isMountPoint).Buffer.Span);
        });
    }

    /// <summary>A sparse file: BackupRead gives an empty sparse data stream, then the blocks, then a terminator at the file size.</summary>
    private static void SparseFile(ILayerWriter writer, string name)
    {
        writer.Add(name, Info(FileAttributes.Archive | FileAttributes.SparseFile));
        Write(writer, streams =>
        {
            streams.WriteStream(BackupStreamId.SecurityData, FileSecurityDescriptor);
            streams.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.Sparse, 0));
            byte[] block = Text("the only allocated range of a mostly empty file\r\n");
            streams.WriteHeader(new BackupStreamHeader(BackupStreamId.SparseBlock, BackupStreamAttributes.None, block.Length, Offset: SparseDataOffset));
            streams.Write(block);
            streams.WriteHeader(new BackupStreamHeader(BackupStreamId.SparseBlock, BackupStreamAttributes.None, 0, Offset: SparseFileSize));
        });
    }

    private static void Write(ILayerWriter writer, Action<BackupStreamWriter> streams)
    {
        using var buffer = new MemoryStream();
        using (var backup = new BackupStreamWriter(buffer, leaveOpen: true))
        {
            streams(backup);
        }

        writer.Write(buffer.ToArray());
    }

    private static FileBasicInfo Info(FileAttributes attributes) => new(Created, Accessed, Written, Changed, attributes);

    // Hives are stored as plain files without a security descriptor (HCS keeps them that way), and here also without
    // access and change times, so the sample shows how unset (0) times look.
    private static FileBasicInfo HiveInfo(FileAttributes attributes) => new(Created, 0, Written, 0, attributes);

    /// <summary>A stand-in registry hive: the "regf" signature, the hive's name, zero padding to a 4 KiB block.</summary>
    private static byte[] Hive(string name)
    {
        byte[] hive = new byte[4096];
        Encoding.ASCII.GetBytes("regf").CopyTo(hive, 0);
        Encoding.Unicode.GetBytes(name).CopyTo(hive, 0x30);
        return hive;
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static long Time(string iso) => FileTime.FromDateTimeOffset(DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture));
}
