using WcLayer.Win32;

namespace WcLayer.Tests.Win32;

public class FileBasicInfoTests
{
    [Fact]
    public void BinaryLayoutIs40BytesLittleEndian()
    {
        var info = new FileBasicInfo(0x0102030405060708, 2, 3, 4, FileAttributes.Directory | FileAttributes.Hidden);
        var bytes = new byte[FileBasicInfo.BinarySize];
        info.WriteTo(bytes);
        Assert.Equal("0807060504030201" + "0200000000000000" + "0300000000000000" + "0400000000000000" + "12000000" + "00000000",
            Convert.ToHexStringLower(bytes));
        Assert.Equal(info, FileBasicInfo.ReadFrom(bytes));
    }

    [Fact]
    public void ShortBufferIsInvalidData() =>
        Assert.Throws<InvalidDataException>(() => FileBasicInfo.ReadFrom(new byte[39]));

    [Fact]
    public void FileTimeConvertsToAndFromDateTimeOffset()
    {
        var t = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567);
        long ft = FileTime.FromDateTimeOffset(t);
        Assert.Equal(132224078451234567, ft);
        Assert.Equal(t, FileTime.ToDateTimeOffset(ft));
        Assert.Equal(FileTime.UnixEpoch, FileTime.FromDateTimeOffset(DateTimeOffset.UnixEpoch));
        Assert.Null(FileTime.ToDateTimeOffsetOrNull(0));
        Assert.Equal((Int128)0, FileTime.ToUnixNanoseconds(FileTime.UnixEpoch));
        Assert.Equal(Int128.Parse("-11644473600000000000", System.Globalization.CultureInfo.InvariantCulture), FileTime.ToUnixNanoseconds(0));
        Assert.Equal(0, FileTime.FromUnixNanoseconds(FileTime.ToUnixNanoseconds(0)));
    }

    [Fact]
    public void FileTimeRejectsTimesBefore1601() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FileTime.FromDateTimeOffset(new DateTimeOffset(1600, 1, 1, 0, 0, 0, TimeSpan.Zero)));
}
