// The Windows side of the file-system seam. The struct layouts, the FILE_LINK_INFORMATION buffer, the directory
// listing parser and the path helpers are pure and checked everywhere; the safefile scenario runs only on Windows.
// CA1416 is suppressed because the pure helpers of Windows-only types are called off Windows on purpose.
#pragma warning disable CA1416

using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using WcLayer.Transport;
using WcLayer.Win32;
using static Interop.Kernel32;
using static Interop.NtDll;

namespace WcLayer.Tests.Transport;

public sealed class WindowsLayerRootTests
{
    private static readonly bool X64 = IntPtr.Size == 8;

    [Fact]
    public void Nt_structs_have_the_documented_layouts()
    {
        Assert.Equal(X64 ? 16 : 8, Unsafe.SizeOf<UnicodeString>());
        Assert.Equal(X64 ? 8 : 4, (int)Marshal.OffsetOf<UnicodeString>(nameof(UnicodeString.Buffer)));

        Assert.Equal(X64 ? 48 : 24, Unsafe.SizeOf<ObjectAttributes>());
        Assert.Equal(Unsafe.SizeOf<ObjectAttributes>(), Marshal.SizeOf<ObjectAttributes>());
        Assert.Equal(X64 ? 8 : 4, (int)Marshal.OffsetOf<ObjectAttributes>(nameof(ObjectAttributes.RootDirectory)));
        Assert.Equal(X64 ? 16 : 8, (int)Marshal.OffsetOf<ObjectAttributes>(nameof(ObjectAttributes.ObjectName)));
        Assert.Equal(X64 ? 24 : 12, (int)Marshal.OffsetOf<ObjectAttributes>(nameof(ObjectAttributes.Attributes)));
        Assert.Equal(X64 ? 32 : 16, (int)Marshal.OffsetOf<ObjectAttributes>(nameof(ObjectAttributes.SecurityDescriptor)));
        Assert.Equal(X64 ? 40 : 20, (int)Marshal.OffsetOf<ObjectAttributes>(nameof(ObjectAttributes.SecurityQualityOfService)));

        Assert.Equal(X64 ? 16 : 8, Unsafe.SizeOf<IoStatusBlock>());
        Assert.Equal(X64 ? 8 : 4, (int)Marshal.OffsetOf<IoStatusBlock>(nameof(IoStatusBlock.Information)));

        Assert.Equal(X64 ? 24 : 16, Unsafe.SizeOf<FileLinkInformation>());
        Assert.Equal(X64 ? 8 : 4, (int)Marshal.OffsetOf<FileLinkInformation>(nameof(FileLinkInformation.RootDirectory)));
        Assert.Equal(X64 ? 16 : 8, (int)Marshal.OffsetOf<FileLinkInformation>(nameof(FileLinkInformation.FileNameLength)));
        Assert.Equal(X64 ? 20 : 12, (int)Marshal.OffsetOf<FileLinkInformation>(nameof(FileLinkInformation.FileName)));

        Assert.Equal(4, Unsafe.SizeOf<FileDispositionInformationEx>());
        Assert.Equal(1, Unsafe.SizeOf<FileDispositionInformation>());
    }

    [Fact]
    public void File_information_structs_have_the_documented_layouts()
    {
        Assert.Equal(24, Unsafe.SizeOf<FileStandardInfo>());
        Assert.Equal(8, (int)Marshal.OffsetOf<FileStandardInfo>(nameof(FileStandardInfo.EndOfFile)));
        Assert.Equal(16, (int)Marshal.OffsetOf<FileStandardInfo>(nameof(FileStandardInfo.NumberOfLinks)));
        Assert.Equal(20, (int)Marshal.OffsetOf<FileStandardInfo>(nameof(FileStandardInfo.DeletePending)));
        Assert.Equal(21, (int)Marshal.OffsetOf<FileStandardInfo>(nameof(FileStandardInfo.Directory)));
        Assert.Equal(24, Unsafe.SizeOf<FileIdInfo>());
        Assert.Equal(8, (int)Marshal.OffsetOf<FileIdInfo>(nameof(FileIdInfo.FileIdLow)));
        Assert.Equal(40, FileBasicInfo.BinarySize);
    }

    [Theory]
    [InlineData(8, "0000000000000000" + "1100000000000000" + "0a000000" + "610062006300e9002000")]
    [InlineData(4, "00000000" + "11000000" + "0a000000" + "610062006300e9002000")]
    public void File_link_information_is_built_byte_exact(int pointerSize, string expectedHex)
    {
        // ReplaceIfExists = 0 (padded to the pointer), RootDirectory, FileNameLength in bytes, the UTF-16 name unterminated.
        byte[] buffer = BuildFileLinkInformation(0x11, "abc\u00e9 ", pointerSize);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(buffer));
    }

    [Theory]
    [InlineData(8, 24)]
    [InlineData(4, 16)]
    public void File_link_information_for_a_short_name_keeps_the_struct_size(int pointerSize, int size)
    {
        byte[] buffer = BuildFileLinkInformation(7, "a", pointerSize);
        Assert.Equal(size, buffer.Length);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(pointerSize * 2)));
        Assert.Equal((byte)'a', buffer[pointerSize * 2 + 4]);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(buffer));
    }

    [Fact]
    public void File_link_information_refuses_names_longer_than_unicode_string_allows()
    {
        Assert.Throws<PathTooLongException>(() => BuildFileLinkInformation(1, new string('a', 32768), 8));
    }

    [Fact]
    public void Directory_listing_parser_follows_the_chain_and_skips_dot_entries()
    {
        byte[] buffer = new byte[512];
        int offset = 0;
        (string Name, FileAttributes Attributes)[] entries =
        [
            (".", FileAttributes.Directory),
            ("..", FileAttributes.Directory),
            ("dir", FileAttributes.Directory),
            ("junction", FileAttributes.Directory | FileAttributes.ReparsePoint),
            ("é.txt", FileAttributes.Archive),
        ];
        for (int i = 0; i < entries.Length; i++)
        {
            byte[] name = Encoding.Unicode.GetBytes(entries[i].Name);
            int length = (FileFullDirInfo.FileName + name.Length + 7) & ~7;
            Span<byte> entry = buffer.AsSpan(offset);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, i == entries.Length - 1 ? 0u : (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[FileFullDirInfo.FileAttributes..], (uint)entries[i].Attributes);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[FileFullDirInfo.FileNameLength..], (uint)name.Length);
            name.CopyTo(entry[FileFullDirInfo.FileName..]);
            offset += length;
        }

        var names = new List<(string, bool)>();
        WindowsLayerRoot.ParseFullDirectoryInfo(buffer, names);
        Assert.Equal([("dir", true), ("junction", false), ("é.txt", false)], names);
    }

    [Theory]
    [InlineData(@"C:\layers\a", @"\\?\C:\layers\a")]
    [InlineData(@"\\server\share\a", @"\\?\UNC\server\share\a")]
    [InlineData(@"\\?\C:\a", @"\\?\C:\a")]
    [InlineData(@"\\.\C:\a", @"\\.\C:\a")]
    public void Long_paths_follow_hcsshim_LongAbs(string path, string expected) =>
        Assert.Equal(expected, WindowsLayerRoot.ToLongPath(path));

    [Fact]
    public void File_ids_put_the_volume_serial_above_a_64_bit_id()
    {
        Assert.Equal(new UInt128(0xAB, 0x1234), WindowsLayerRoot.ComposeFileId(0xAB, 0x1234, 0));
        Assert.Equal(new UInt128(0x55, 0x1234), WindowsLayerRoot.ComposeFileId(0xAB, 0x1234, 0x55));
    }

    [Fact]
    public void Nt_success_includes_informational_and_warning_codes_only()
    {
        Assert.True(NtStatus.IsSuccess(0));
        Assert.True(NtStatus.IsSuccess(0x00000103)); // STATUS_PENDING
        Assert.True(NtStatus.IsSuccess(0x40000000)); // informational
        Assert.False(NtStatus.IsSuccess(unchecked((int)0x80000005))); // STATUS_BUFFER_OVERFLOW (a warning, yet negative)
        Assert.False(NtStatus.IsSuccess(NtStatus.ReparsePointEncountered));
    }

    [Fact]
    public void Backup_stream_boundary_follows_headers_fed_in_pieces()
    {
        using var stream = new MemoryStream();
        using (var writer = new BackupStreamWriter(stream, leaveOpen: true))
        {
            writer.WriteStream(BackupStreamId.Data, [1, 2, 3]);
            writer.WriteStream(BackupStreamId.AlternateData, [4], ":s:$DATA");
        }

        byte[] bytes = stream.ToArray();
        var boundary = new BackupStreamBoundary();
        foreach (byte b in bytes.AsSpan(0, bytes.Length - 1))
        {
            boundary.Advance([b], "x");
        }

        Assert.False(boundary.AtBoundary);
        boundary.Advance(bytes.AsSpan(bytes.Length - 1), "x");
        Assert.True(boundary.AtBoundary);
        boundary.Advance(bytes.AsSpan(0, 5), "x");
        Assert.False(boundary.AtBoundary);
    }
}

/// <summary>A fact that runs only on Windows (it needs no HCS), skipped elsewhere with the reason.</summary>
public sealed class WindowsOnlyFactAttribute : FactAttribute
{
    public WindowsOnlyFactAttribute()
    {
        if (!OperatingSystem.IsWindows())
        {
            Skip = "needs Windows (NTFS relative opens); run elevated or in Developer Mode for the symbolic links, see docs/windows-testing.md";
        }
    }
}

/// <summary>hcsshim's <c>TestOpenRelative</c> (spec 18.1.3) against <see cref="WindowsLayerRoot"/>.</summary>
public sealed class WindowsLayerRootScenarioTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wclayer-safefile-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [WindowsOnlyFact]
    public void Open_relative_refuses_every_escape()
    {
        string rootPath = Directory.CreateDirectory(Path.Combine(_folder, "root")).FullName;
        string badRoot = Directory.CreateDirectory(Path.Combine(_folder, "badroot")).FullName;
        using LayerRoot root = LayerRoot.Open(rootPath);
        Assert.IsType<WindowsLayerRoot>(root);

        root.CreateFile("foo").Dispose();                                  // 1
        root.CreateDirectory("dir");                                       // 2
        root.CreateDirectories("dir/and/then/some/subdir");                // 3
        File.WriteAllText(Path.Combine(badRoot, "badfile"), "bad");        // 4
        Directory.CreateSymbolicLink(Path.Combine(rootPath, "dsymlink"), badRoot);                   // 5
        File.CreateSymbolicLink(Path.Combine(rootPath, "symlink"), Path.Combine(badRoot, "badfile"));

        AssertReparse(() => root.CreateFile("dsymlink/foo").Dispose());                // 6
        Assert.ThrowsAny<IOException>(() => root.CreateDirectories("dsymlink/and/then/some/subdir")); // 7
        Assert.Equal(LayerFileKind.SymbolicLink, root.Stat("dsymlink")!.Value.Kind);  // 8
        root.Link("foo", root, "hardlink");                                            // 9
        root.Link("foo", root, "dir/bar");                                             // 10
        AssertReparse(() => root.Link("foo", root, "dsymlink/hardlink"));             // 11
        AssertReparse(() => root.Link("dsymlink/badfile", root, "bar"));              // 12
        AssertReparse(() => root.Remove("symlink/badfile"));                          // 13
        root.RemoveAll("symlink");                                                     // 14
        Assert.Null(root.Stat("symlink"));
        Assert.Throws<ArgumentException>(() => root.OpenFile(".."));                  // 15 (refused before any call)
        Assert.True(File.Exists(Path.Combine(badRoot, "badfile")));                   // 16
        Assert.Equal(3u, root.Stat("foo")!.Value.NumberOfLinks);
        Assert.Contains(("dir", true), root.List(""));
        Assert.Contains(("dsymlink", false), root.List(""));
    }

    [WindowsOnlyFact]
    public void Basic_info_backup_streams_and_remove_of_read_only_files_round_trip()
    {
        using LayerRoot root = LayerRoot.Open(_folder);
        var info = new FileBasicInfo(130000000000000000, 130000000000000001, 130000000000000002, 130000000000000003, FileAttributes.ReadOnly | FileAttributes.Archive);
        using (FileStream file = root.CreateFile("f"))
        {
            using PlainBackupWriter writer = root.CreatePlainBackupWriter(file, file.SafeFileHandle, processSecurity: true, root.Describe("f"));
            using var bytes = new MemoryStream();
            using (var streams = new BackupStreamWriter(bytes, leaveOpen: true))
            {
                streams.WriteStream(BackupStreamId.Data, "data"u8);
            }

            writer.Write(bytes.ToArray());
            writer.Complete();
            root.SetBasicInfo(file.SafeFileHandle, info, root.Describe("f"));
        }

        using (SafeFileHandle handle = root.OpenHandle("f", directory: false))
        {
            Assert.Equal(info, root.GetBasicInfo(handle));
        }

        using (FileStream file = root.OpenFile("f"))
        {
            Assert.Equal(4, root.GetPlainSize(file, file.SafeFileHandle, root.Describe("f")));
            using Stream reader = root.OpenPlainBackupReader(null, file.SafeFileHandle, includeSecurity: false, root.Describe("f"));
            using var copy = new MemoryStream();
            reader.CopyTo(copy);
            Assert.Equal("data"u8.ToArray(), copy.ToArray()[BackupStreamHeader.FixedSize..(BackupStreamHeader.FixedSize + 4)]);
        }

        Assert.True(root.Remove("f"));
        Assert.False(root.Remove("f"));
    }

    private static void AssertReparse(Action action)
    {
        var e = Assert.ThrowsAny<LayerPathException>(action);
        Assert.True(e.ErrorCode is Win32Error.ReparsePointEncountered or Win32Error.PathNotFound or Win32Error.InvalidName, e.Message);
    }
}
