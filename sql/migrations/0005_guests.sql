-- Professionals from outside the community: a case invitation makes them a `guest` member, who
-- sees nothing of the community but the cases they are a participant of.
ALTER TYPE member_role ADD VALUE IF NOT EXISTS 'guest';

ALTER TABLE invitations ADD COLUMN case_id uuid;
ALTER TABLE invitations ADD COLUMN organisation text CHECK (length(organisation) BETWEEN 1 AND 100);
ALTER TABLE invitations ADD FOREIGN KEY (community_id, case_id) REFERENCES cases (community_id, id);
-- A case invitation names the organisation the professional joins the case for.
ALTER TABLE invitations ADD CHECK ((case_id IS NULL) = (organisation IS NULL));
