using System.Buffers.Binary;
using CsCheck;
using WcLayer.Win32;

namespace WcLayer.Tests.Win32;

public class BackupStreamTests
{
    private const string DataHeaderHex = "01000000" + "00000000" + "0e00000000000000" + "00000000";

    private const string AdsHeaderHex = "04000000" + "00000000" + "1100000000000000" + "1c000000" +
        "3a00610064007300" + "2e00740078007400" + "3a00240044004100" + "54004100";

    private const string SparseHeaderHex = "09000000" + "08000000" + "0d00000000000000" + "00000000" + "0000010000000000";

    private static readonly BackupStreamHeader DataHeader = new(BackupStreamId.Data, BackupStreamAttributes.None, 14);
    private static readonly BackupStreamHeader AdsHeader = new(BackupStreamId.AlternateData, BackupStreamAttributes.None, 17, ":ads.txt:$DATA");
    private static readonly BackupStreamHeader SparseHeader = new(BackupStreamId.SparseBlock, BackupStreamAttributes.Sparse, 5, "", 0x10000);

    public static TheoryData<string, int> HeaderExamples => new()
    {
        { DataHeaderHex, 0 },
        { AdsHeaderHex, 1 },
        { SparseHeaderHex, 2 },
    };

    private static BackupStreamHeader Example(int index) => index switch
    {
        0 => DataHeader,
        1 => AdsHeader,
        _ => SparseHeader,
    };

    [Theory]
    [MemberData(nameof(HeaderExamples))]
    public void WriterEmitsSpecHeaderBytes(string hex, int index)
    {
        var output = new MemoryStream();
        using (var writer = new BackupStreamWriter(output, leaveOpen: true))
        {
            writer.WriteHeader(Example(index));
            Assert.Equal(Example(index).Size, writer.Remaining);
        }

        Assert.Equal(hex, Convert.ToHexStringLower(output.ToArray()));
    }

    [Theory]
    [MemberData(nameof(HeaderExamples))]
    public void ReaderParsesSpecHeaderBytes(string hex, int index)
    {
        BackupStreamHeader expected = Example(index);
        byte[] data = Enumerable.Range(1, (int)expected.Size).Select(i => (byte)i).ToArray();
        using var reader = new BackupStreamReader(new MemoryStream([.. Convert.FromHexString(hex), .. data]));
        Assert.Equal(expected, reader.ReadNextHeader());
        Assert.Equal(expected, reader.Current);
        Assert.Equal(hex.Length / 2, reader.Position);
        Assert.Equal(data, reader.ReadToEnd());
        Assert.Null(reader.ReadNextHeader());
        Assert.Null(reader.Current);
    }

    [Fact]
    public void SparseSizeOnTheWireIncludesTheOffset()
    {
        byte[] bytes = Write((SparseHeader with { Size = 100 }, new byte[100]));
        Assert.Equal(108, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(20 + 8 + 100, bytes.Length);
        using var reader = new BackupStreamReader(new MemoryStream(bytes));
        Assert.Equal(100, reader.ReadNextHeader()!.Value.Size);

        // An empty sparse block is just the offset.
        byte[] empty = Write((SparseHeader with { Size = 0, Offset = 7 }, []));
        Assert.Equal(8, BinaryPrimitives.ReadInt64LittleEndian(empty.AsSpan(8)));
        using var emptyReader = new BackupStreamReader(new MemoryStream(empty));
        Assert.Equal(SparseHeader with { Size = 0, Offset = 7 }, emptyReader.ReadNextHeader());
        Assert.Null(emptyReader.ReadNextHeader());
    }

    private static readonly (BackupStreamHeader Header, byte[] Data)[] MixedStreams =
    [
        (new(BackupStreamId.SecurityData, BackupStreamAttributes.ContainsSecurity, 20), Enumerable.Range(0, 20).Select(i => (byte)(0x40 + i)).ToArray()),
        (new(BackupStreamId.ExtendedAttributes, BackupStreamAttributes.None, 36), Convert.FromHexString("1000000000030300666f6f006261720000000000000404006669" + "7a7a0062757a7a000000")),
        (new(BackupStreamId.Data, BackupStreamAttributes.Sparse, 0), []),
        (new(BackupStreamId.SparseBlock, BackupStreamAttributes.Sparse, 5, "", 0x10000), "hello"u8.ToArray()),
        (new(BackupStreamId.SparseBlock, BackupStreamAttributes.Sparse, 3, "", 0x7FFF_0000_0000), "end"u8.ToArray()),
        (new(BackupStreamId.AlternateData, BackupStreamAttributes.None, 17, ":ads.txt:$DATA"), "alternate stream!"u8.ToArray()),
        (new(BackupStreamId.AlternateData, BackupStreamAttributes.None, 0, ":empty:$DATA"), []),
        (new(BackupStreamId.Data, BackupStreamAttributes.None, 14), "Hello, world!\n"u8.ToArray()),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReaderWalksAConcatenationInSmallChunks(bool seekable)
    {
        byte[] bytes = Write(MixedStreams);
        using var reader = new BackupStreamReader(Source(bytes, seekable, maxChunk: 3));
        long expectedPosition = 0;
        foreach ((BackupStreamHeader header, byte[] data) in MixedStreams)
        {
            Assert.Equal(expectedPosition, reader.Position);
            Assert.Equal(header, reader.ReadNextHeader());
            expectedPosition += WireHeaderSize(header);
            Assert.Equal(expectedPosition, reader.Position);

            var got = new List<byte>();
            var chunk = new byte[2];
            int n;
            while ((n = reader.Read(chunk)) > 0)
            {
                got.AddRange(chunk.AsSpan(0, n));
                Assert.Equal(data.Length - got.Count, reader.Remaining);
            }

            Assert.Equal(data, got);
            expectedPosition += data.Length;
        }

        Assert.Null(reader.ReadNextHeader());
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void UnreadDataIsSkipped(bool seekable, bool readSome)
    {
        byte[] bytes = Write(MixedStreams);
        using var reader = new BackupStreamReader(Source(bytes, seekable, maxChunk: 5));
        foreach ((BackupStreamHeader header, byte[] data) in MixedStreams)
        {
            Assert.Equal(header, reader.ReadNextHeader());
            if (readSome && data.Length > 1)
            {
                var one = new byte[1];
                Assert.Equal(1, reader.Read(one));
                Assert.Equal(data[0], one[0]);
            }
        }

        Assert.Null(reader.ReadNextHeader());
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public async Task AsyncReadAndCopyMatch()
    {
        byte[] bytes = Write(MixedStreams);
        using var reader = new BackupStreamReader(Source(bytes, seekable: false, maxChunk: 4));
        foreach ((BackupStreamHeader header, byte[] data) in MixedStreams)
        {
            Assert.Equal(header, reader.ReadNextHeader());
            var copy = new MemoryStream();
            await reader.CopyToAsync(copy);
            Assert.Equal(data, copy.ToArray());
        }

        Assert.Null(reader.ReadNextHeader());
    }

    [Fact]
    public void WriterReportsMissingBytes()
    {
        using var writer = new BackupStreamWriter(new MemoryStream());
        writer.WriteHeader(DataHeader);
        writer.Write(new byte[4]);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => writer.WriteHeader(AdsHeader));
        Assert.Contains("missing 10 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriterRejectsTooManyBytesAndWritesNothing()
    {
        var output = new MemoryStream();
        using var writer = new BackupStreamWriter(output, leaveOpen: true);
        writer.WriteHeader(DataHeader);
        writer.Write(new byte[10]);
        long before = output.Length;
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => writer.Write(new byte[7]));
        Assert.Contains("too many bytes by 3", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, output.Length);
        Assert.Equal(4, writer.Remaining);

        writer.Write(new byte[4]);
        e = Assert.Throws<InvalidOperationException>(() => writer.Write(new byte[1]));
        Assert.Contains("too many bytes by 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(20 + 14, output.Length);
    }

    [Fact]
    public async Task WriterAsyncRejectsTooManyBytesAndWritesNothing()
    {
        var output = new MemoryStream();
        using var writer = new BackupStreamWriter(output, leaveOpen: true);
        writer.WriteHeader(DataHeader);
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteAsync(new byte[15]));
        Assert.Contains("too many bytes by 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(20, output.Length);
    }

    [Fact]
    public void WriterRejectsNegativeSizeAndOffset()
    {
        using var writer = new BackupStreamWriter(new MemoryStream());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteHeader(DataHeader with { Size = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteHeader(SparseHeader with { Offset = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteHeader(SparseHeader with { Size = long.MaxValue - 7 }));
        writer.WriteHeader(SparseHeader with { Size = 0 });
    }

    [Fact]
    public void TruncatedHeaderNamesItsOffset()
    {
        byte[] bytes = [.. Write(MixedStreams[7]), .. Convert.FromHexString(DataHeaderHex).AsSpan(0, 11)];
        using var reader = new BackupStreamReader(new MemoryStream(bytes));
        Assert.NotNull(reader.ReadNextHeader());
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => reader.ReadNextHeader());
        Assert.Contains("offset 34", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedNameNamesItsOffset(bool seekable)
    {
        byte[] bytes = [.. Write(MixedStreams[7]), .. Convert.FromHexString(AdsHeaderHex).AsSpan(0, 30)];
        using var reader = new BackupStreamReader(Source(bytes, seekable, maxChunk: 7));
        Assert.NotNull(reader.ReadNextHeader());
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => reader.ReadNextHeader());
        Assert.Contains("offset 34", e.Message, StringComparison.Ordinal);
        Assert.Contains("name", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataNamesItsOffset(bool seekable)
    {
        // 14 bytes announced, 9 present: the input ends at offset 29.
        byte[] bytes = Write(MixedStreams[7]).AsSpan(0, 29).ToArray();
        using (var reader = new BackupStreamReader(Source(bytes, seekable, maxChunk: 4)))
        {
            Assert.NotNull(reader.ReadNextHeader());
            var buffer = new byte[64];
            int total = 0;
            InvalidDataException e = Assert.Throws<InvalidDataException>(() =>
            {
                int n;
                while ((n = reader.Read(buffer)) > 0)
                {
                    total += n;
                }
            });
            Assert.Equal(9, total);
            Assert.Contains("offset 29", e.Message, StringComparison.Ordinal);
        }

        using (var reader = new BackupStreamReader(Source(bytes, seekable, maxChunk: 4)))
        {
            Assert.NotNull(reader.ReadNextHeader());
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => reader.ReadNextHeader());
            Assert.Contains("offset 29", e.Message, StringComparison.Ordinal);
        }

        using (var reader = new BackupStreamReader(Source(bytes, seekable, maxChunk: 4)))
        {
            Assert.NotNull(reader.ReadNextHeader());
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => reader.ReadToEnd());
            Assert.Contains("offset 29", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TruncatedSparseOffsetNamesItsOffset()
    {
        byte[] bytes = Convert.FromHexString(SparseHeaderHex).AsSpan(0, 24).ToArray();
        using var reader = new BackupStreamReader(new MemoryStream(bytes));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => reader.ReadNextHeader());
        Assert.Contains("offset 0", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8, -1L, "negative size")]
    [InlineData(16, 3L, "odd name length")]
    public void MalformedHeaderNamesItsOffset(int field, long value, string expected)
    {
        byte[] second = Convert.FromHexString(AdsHeaderHex + "00000000000000000000000000000000ff");
        if (field == 8)
        {
            BinaryPrimitives.WriteInt64LittleEndian(second.AsSpan(field), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(second.AsSpan(field), (uint)value);
        }

        byte[] bytes = [.. Write(MixedStreams[7]), .. second];
        using var reader = new BackupStreamReader(new MemoryStream(bytes));
        Assert.NotNull(reader.ReadNextHeader());
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => reader.ReadNextHeader());
        Assert.Contains("offset 34", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(7L)]
    [InlineData(-8L)]
    public void SparseBlockSmallerThanItsOffsetIsInvalid(long wireSize)
    {
        byte[] bytes = Convert.FromHexString(SparseHeaderHex + "0102030405");
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), wireSize);
        using var reader = new BackupStreamReader(new MemoryStream(bytes));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => reader.ReadNextHeader());
        Assert.Contains("offset 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadToEndRefusesOversizedStreams()
    {
        using var reader = new BackupStreamReader(new MemoryStream(Write(MixedStreams[7])));
        Assert.NotNull(reader.ReadNextHeader());
        Assert.Throws<InvalidDataException>(() => reader.ReadToEnd(maxLength: 13));
        Assert.Equal(14, reader.ReadToEnd(maxLength: 14).Length);
    }

    [Fact]
    public void DisposedReaderAndWriterThrow()
    {
        var reader = new BackupStreamReader(new MemoryStream());
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.ReadNextHeader());
        var writer = new BackupStreamWriter(new MemoryStream());
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.WriteHeader(DataHeader));
    }

    [Fact]
    public void RoundTrips()
    {
        Gen<(BackupStreamHeader, byte[])> stream = Gen.Select(
            Gen.Int[1, 10],
            Gen.UInt[0, 15],
            Gen.Char['\u0001', '\uD7FF'].Array[0, 12].Select(chars => new string(chars)),
            Gen.Long[0, long.MaxValue / 2],
            Gen.Byte.Array[0, 40],
            (id, attributes, name, offset, data) =>
            {
                var streamId = (BackupStreamId)id;
                var header = new BackupStreamHeader(streamId, (BackupStreamAttributes)attributes, data.Length, name, streamId == BackupStreamId.SparseBlock ? offset : 0);
                return (header, data);
            });
        Gen.Select(stream.Array[0, 8], Gen.Bool, Gen.Int[1, 9]).Sample((streams, seekable, chunk) =>
        {
            byte[] bytes = Write(streams);
            using var reader = new BackupStreamReader(Source(bytes, seekable, chunk));
            foreach ((BackupStreamHeader header, byte[] data) in streams)
            {
                Assert.Equal(header, reader.ReadNextHeader());
                var got = new byte[data.Length];
                int total = 0;
                int n;
                while ((n = reader.Read(got.AsSpan(total, Math.Min(chunk, got.Length - total)))) > 0)
                {
                    total += n;
                }

                Assert.Equal(data, got);
            }

            Assert.Null(reader.ReadNextHeader());
        }, iter: 1000);
    }

    [Fact]
    public void RandomBytesOnlyThrowInvalidData()
    {
        Gen<byte[]> random = Gen.Byte.Array[0, 120];

        // Small sizes and name lengths so that several headers parse before something goes wrong.
        Gen<byte[]> plausible = Gen.Byte.Array[0, 120].Select(bytes =>
        {
            for (int i = 0; i + 20 <= bytes.Length; i += 20)
            {
                bytes[i] %= 11;
                bytes[i + 1] = bytes[i + 2] = bytes[i + 3] = 0;
                bytes[i + 8] %= 24;
                bytes.AsSpan(i + 9, 6).Clear();
                bytes[i + 15] = bytes[i + 15] > 0xF0 ? (byte)0xFF : (byte)0;
                bytes[i + 16] %= 12;
                bytes.AsSpan(i + 17, 3).Clear();
            }

            return bytes;
        });
        foreach (Gen<byte[]> gen in new[] { random, plausible })
        {
            Gen.Select(gen, Gen.Bool, Gen.Bool).Sample((bytes, seekable, readData) =>
            {
                try
                {
                    using var reader = new BackupStreamReader(Source(bytes, seekable, maxChunk: 7));
                    var buffer = new byte[5];
                    while (reader.ReadNextHeader() is not null)
                    {
                        if (readData)
                        {
                            while (reader.Read(buffer) > 0)
                            {
                            }
                        }
                    }
                }
                catch (InvalidDataException)
                {
                }
            }, iter: 5000);
        }
    }

    private static long WireHeaderSize(BackupStreamHeader header) =>
        BackupStreamHeader.FixedSize + (header.Name.Length * 2) + (header.Id == BackupStreamId.SparseBlock ? 8 : 0);

    private static byte[] Write(params (BackupStreamHeader Header, byte[] Data)[] streams)
    {
        var output = new MemoryStream();
        using (var writer = new BackupStreamWriter(output, leaveOpen: true))
        {
            foreach ((BackupStreamHeader header, byte[] data) in streams)
            {
                writer.WriteHeader(header);
                writer.Write(data);
                Assert.Equal(0, writer.Remaining);
            }
        }

        return output.ToArray();
    }

    private static Stream Source(byte[] bytes, bool seekable, int maxChunk)
    {
        var inner = new MemoryStream(bytes, writable: false);
        return seekable ? inner : new ForwardOnlyStream(inner, maxChunk);
    }

    /// <summary>A stream that cannot seek and hands out at most a few bytes per read, like a pipe.</summary>
    private sealed class ForwardOnlyStream(Stream inner, int maxChunk) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => inner.Read(buffer[..Math.Min(buffer.Length, maxChunk)]);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
