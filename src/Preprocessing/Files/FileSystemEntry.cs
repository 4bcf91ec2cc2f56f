// What a path is, asked of the operating system before anything opens it. .NET's FileInfo says "exists,
// length 0" for a FIFO, /dev/zero and an empty file alike, and opening a FIFO for reading blocks until a
// writer appears, so readers of untrusted inputs must know the file type first: only regular files are
// read (a FIFO would hang the run, /dev/zero would be read until memory runs out). The identity
// (device, inode) lets a directory walk recognise a folder it has already visited through a symlink,
// which is how cycles (`ln -s . self`, a link to `..`) are detected.
//
// On Linux this is one statx(2) call (struct statx has the same layout on every architecture). Elsewhere
// the portable .NET answers are used: directories and files are told apart, but special files look like
// regular ones and there is no identity (the walk then falls back to resolved paths).
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pipeline.Preprocessing.Files;

/// <summary>The type of a file-system entry.</summary>
public enum FileKind
{
    /// <summary>Nothing at the path (or a dangling symlink when links are followed).</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (only reported when links are not followed).</summary>
    SymbolicLink,
    /// <summary>A FIFO (named pipe): reading it blocks until something writes.</summary>
    Fifo,
    /// <summary>A character device such as /dev/zero or a terminal.</summary>
    CharacterDevice,
    /// <summary>A block device (a disk).</summary>
    BlockDevice,
    /// <summary>A Unix domain socket.</summary>
    Socket,
}

/// <summary>Identifies a file independently of the path it was reached by (device and inode number).</summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode);

/// <summary>What <see cref="FileSystemEntry.Stat"/> found at a path.</summary>
/// <param name="Kind">The entry's type.</param>
/// <param name="Length">Size in bytes (meaningful for regular files).</param>
/// <param name="Identity">Device and inode, or null where the platform does not say.</param>
public sealed record FileStatus(FileKind Kind, long Length, FileIdentity? Identity)
{
    /// <summary>A status for a path where nothing exists.</summary>
    public static FileStatus Missing { get; } = new(FileKind.Missing, 0, null);
}

/// <summary>File type and identity of paths, without opening them.</summary>
public static class FileSystemEntry
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferBytes = 256;
    private static bool statxUnavailable;

    /// <summary>
    /// The type, size and identity of <paramref name="path"/>; <paramref name="followLinks"/> false describes a symlink
    /// itself instead of its target. Never throws for a missing path (<see cref="FileKind.Missing"/>).
    /// </summary>
    public static FileStatus Stat(string path, bool followLinks = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsLinux() && !statxUnavailable)
        {
            try { return StatLinux(path, followLinks); }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { statxUnavailable = true; }
        }
        return StatPortable(path, followLinks);
    }

    /// <summary>A phrase for error messages: "a FIFO (named pipe)", "a character device", …</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        _ => kind.ToString(),
    };

    private static FileStatus StatLinux(string path, bool followLinks)
    {
        Span<byte> buffer = stackalloc byte[StatxBufferBytes];
        int result;
        unsafe
        {
            fixed (byte* p = buffer)
                result = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, p);
        }
        if (result != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            // ENOENT, ENOTDIR, ELOOP (a link cycle), ENAMETOOLONG: nothing readable is there.
            if (error is 2 or 20 or 40 or 36) return FileStatus.Missing;
            if (error == 13) throw new UnauthorizedAccessException($"'{path}': permission denied while looking it up.");
            throw new IOException($"'{path}': cannot look it up (errno {error}).");
        }
        // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_size (u64) at 40, stx_dev_major/minor (u32) at 136/140.
        int mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer[28..]);
        ulong inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer[32..]);
        long size = (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer[40..]);
        ulong device = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(buffer[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(buffer[140..]);
        if (!BitConverter.IsLittleEndian)
        {
            mode = BinaryPrimitives.ReadUInt16BigEndian(buffer[28..]);
            inode = BinaryPrimitives.ReadUInt64BigEndian(buffer[32..]);
            size = (long)BinaryPrimitives.ReadUInt64BigEndian(buffer[40..]);
            device = ((ulong)BinaryPrimitives.ReadUInt32BigEndian(buffer[136..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(buffer[140..]);
        }
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Missing,
        };
        return new FileStatus(kind, size, new FileIdentity(device, inode));
    }

    private static FileStatus StatPortable(string path, bool followLinks)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null) return new FileStatus(FileKind.SymbolicLink, 0, null);
        if (info is DirectoryInfo) return new FileStatus(FileKind.Directory, 0, null);
        return info.Exists ? new FileStatus(FileKind.Regular, ((FileInfo)info).Length, null) : FileStatus.Missing;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern unsafe int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);
}
