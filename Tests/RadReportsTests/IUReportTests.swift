import Foundation
import Testing

@testable import RadReports

/// What tools/reference/iu_reports_reference.py prints (Python's tarfile + ElementTree).
struct ReferenceCollection: Decodable {
  struct Report: Decodable {
    let number: Int
    let sections: [[String]]
    let meshMajor: [String]
    let meshMinor: [String]
    let meshAutomatic: [String]
    let imageIDs: [String]

    enum CodingKeys: String, CodingKey {
      case number, sections
      case meshMajor = "mesh_major"
      case meshMinor = "mesh_minor"
      case meshAutomatic = "mesh_automatic"
      case imageIDs = "image_ids"
    }
  }
  let reports: [Report]
  let statistics: [String: IUSplitCounts]

  static func read(_ path: String) throws -> ReferenceCollection {
    try JSONDecoder().decode(
      ReferenceCollection.self, from: TestSupport.runReference("iu_reports_reference.py", [path]))
  }
}

/// Every report field and every count equal to the Python reader's.
func expectSameAsReference(_ collection: IUReportCollection, _ reference: ReferenceCollection) {
  #expect(collection.reports.count == reference.reports.count)
  for (report, expected) in zip(collection.reports, reference.reports) {
    #expect(report.number == expected.number)
    #expect(report.sections.map { [$0.label, $0.text] } == expected.sections, "report \(report.number)")
    #expect(report.meshMajor == expected.meshMajor, "report \(report.number)")
    #expect(report.meshMinor == expected.meshMinor, "report \(report.number)")
    #expect(report.meshAutomatic == expected.meshAutomatic, "report \(report.number)")
    #expect(report.imageIDs == expected.imageIDs, "report \(report.number)")
  }
  let statistics = collection.statistics
  for split in IUSplit.allCases {
    #expect(statistics.counts(split) == reference.statistics[split.rawValue], "\(split)")
  }
}

@Suite struct IUReportTests {
  let folder = TestSupport.fixtures.appendingPathComponent("iu/folder").path

  @Test(arguments: [
    (3029, IUSplit.train), (3020, .test), (3021, .validation), (0, .test), (1, .validation),
    (9, .train), (10, .test), (11, .validation), (12, .train),
  ])
  func splitByReportNumber(number: Int, split: IUSplit) {
    #expect(IUSplit(reportNumber: number) == split)
  }

  @Test func readsFixtureFolderLikeTheReference() throws {
    let collection = try IUReportCollection.load(from: folder)
    expectSameAsReference(collection, try ReferenceCollection.read(folder))
  }

  @Test func keepsSectionTextMeshAndImages() throws {
    let collection = try IUReportCollection.load(from: folder)
    #expect(collection.reports.map(\.number) == [120, 131, 142])
    let report = try #require(collection.reports.first)
    #expect(report.comparison == "Radiograph from 2 years ago.")
    #expect(report.indication == "Cough & fever for three days.")
    #expect(report.findings == "  The heart is mildly enlarged.  Small left effusion <1 cm.\nNo pneumothorax.")
    #expect(report.meshMajor == ["Cardiomegaly/mild", "Pleural Effusion/left/small"])
    #expect(report.meshMinor == ["Thorax"])
    #expect(report.imageIDs == ["CXR120_IM-0001-1001", "CXR120_IM-0001-2001"])
    #expect(collection.reports[2].findings == "Lungs are clear. Heart size < normal limits.")
  }

  @Test func pairsLeaveOutReportsLackingASection() throws {
    let collection = try IUReportCollection.load(from: folder)
    // 131 has no findings (white space only), 142 no impression (empty).
    #expect(collection.findingsImpressionPairs().map(\.number) == [120])
    // 120 is test (120 % 10 == 0), 131 validation, 142 train.
    #expect(collection.findingsImpressionPairs(split: .train).isEmpty)
    #expect(
      collection.findingsImpressionPairs(split: .test).map(\.impression)
        == ["Mild cardiomegaly. Small left pleural effusion."])
    let total = collection.statistics.total
    #expect(total == IUSplitCounts(reports: 3, withoutFindings: 1, withoutImpression: 1, pairs: 1))
    #expect(collection.statistics.validation.withoutFindings == 1)
  }

  @Test func malformedXMLNamesFileAndLine() throws {
    let path = TestSupport.fixtures.appendingPathComponent("iu/malformed").path
    do {
      _ = try IUReportCollection.load(from: path)
      Issue.record("malformed XML was accepted")
    } catch let error as IUReportError {
      guard case .malformedXML(let file, let line, _, _) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(file.hasSuffix("malformed/150.xml"))
      #expect(line >= 6)
      #expect(error.description.hasPrefix(file + ":"))
    }
  }

  @Test func missingReportNumberAndBadPaths() throws {
    #expect(throws: IUReportError.missingReportNumber(file: "x.xml")) {
      try IUReportXML.parse(Data("<eCitation><Abstract/></eCitation>".utf8), file: "x.xml")
    }
    #expect(throws: IUReportError.invalidReportNumber(file: "y.xml", value: "12a")) {
      try IUReportXML.parse(Data("<eCitation><IUXRId id=\"12a\"/></eCitation>".utf8), file: "y.xml")
    }
    #expect(throws: IUReportError.unreadable(path: "/nonexistent/iu", reason: "no such file or folder")) {
      try IUReportCollection.load(from: "/nonexistent/iu")
    }
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("iu-empty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    #expect(throws: IUReportError.noReports(path: empty.path)) { try IUReportCollection.load(from: empty.path) }
  }

  @Test func duplicateNumbersAreRefused() throws {
    let report = IUReport(number: 5, sections: [], source: "a.xml")
    let twin = IUReport(number: 5, sections: [], source: "b.xml")
    #expect(throws: IUReportError.duplicateReportNumber(5, files: ["a.xml", "b.xml"])) {
      try IUReportCollection(reports: [report, twin], source: "test")
    }
  }
}

/// The real collection (requires `radlm fetch iu-reports`): every report and count as Python reads them.
@Suite struct IURealCollectionTests {
  @Test func archiveMatchesReference() throws {
    let archive = try TestSupport.requireIUArchive()
    let collection = try TestSupport.realCollection()
    #expect(collection.reports.count == 3955)
    expectSameAsReference(collection, try ReferenceCollection.read(archive))
  }
}

@Suite struct IUArchiveErrorTests {
  @Test func notAnArchiveNamesTheFile() throws {
    let path = TestSupport.fixtures.appendingPathComponent("iu/folder/notes.txt").path
    do {
      _ = try IUReportCollection.load(from: path)
      Issue.record("a text file was read as an archive")
    } catch let error as IUReportError {
      guard case .unreadable(let file, _) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(file == path)
    }
  }
}
