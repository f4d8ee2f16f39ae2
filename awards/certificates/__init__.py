"""Certificates (证书) for the featured projects and thank-you letters (感谢信) for the other
teams: issuing with serial numbers and verification codes, revoking, the public verification
page and the team's download. The PDFs themselves are ``awards.documents.certificates``."""
